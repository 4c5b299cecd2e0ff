package io.github.airesource.autoconfigure.redis;

import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.core.redis.ResourceRedis;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * {@link ResourceRedis} over the application's Redis connection factory, for the features
 * configured with a {@code redis} store. Creating it opens no connection; features that
 * use it check at startup that it can serve them ({@link RedisStores#require}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration")
@ConditionalOnClass(name = { "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
		"io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands" })
@ConditionalOnResourceEnabled
@ConditionalOnBean(RedisConnectionFactory.class)
@EnableConfigurationProperties(ResourceRedisProperties.class)
public class ResourceRedisAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ResourceRedis resourceRedis(RedisConnectionFactory connectionFactory, ResourceRedisProperties properties) {
		return new ResourceRedis(connectionFactory, properties.getKeyPrefix(), properties.getTimeout());
	}

}
