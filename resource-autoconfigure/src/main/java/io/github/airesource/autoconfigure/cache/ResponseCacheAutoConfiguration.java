package io.github.airesource.autoconfigure.cache;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.pricing.PricingAutoConfiguration;
import io.github.airesource.autoconfigure.redis.RedisConnectionWarmUp;
import io.github.airesource.autoconfigure.redis.RedisStoreMetrics;
import io.github.airesource.autoconfigure.redis.RedisStores;
import io.github.airesource.autoconfigure.redis.ResourceRedisAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.cache.InMemoryResponseCacheStore;
import io.github.airesource.core.cache.RequestFingerprint;
import io.github.airesource.core.cache.ResponseCacheAdvisor;
import io.github.airesource.core.cache.ResponseCacheStore;
import io.github.airesource.core.cache.redis.RedisResponseCacheStore;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.usage.UsageRecorder;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The exact-match response cache ({@code ai.resource.cache.response.enabled=true}): its
 * {@link ResponseCacheStore}, in memory or in Redis ({@code store: redis}, which fails at
 * startup without a Redis connection), which is also the cache's
 * {@link io.github.airesource.core.cache.ManagedCache} for the {@code aicaches} endpoint
 * and metrics; and the {@link ResponseCacheAdvisor}, which the resource customizer adds
 * to every auto-configured {@code ChatClient}. With Micrometer and the Redis store, the
 * store's failures count in {@code ai.resource.redis.failures{feature=cache}}.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, PricingAutoConfiguration.class,
		ResourceRedisAutoConfiguration.class, UsageAutoConfiguration.class })
@ConditionalOnClass({ ChatClient.class, ResponseCacheAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = ResponseCacheAutoConfiguration.ENABLED)
@EnableConfigurationProperties(CacheProperties.class)
public class ResponseCacheAutoConfiguration {

	static final String ENABLED = CacheProperties.PREFIX + ".response.enabled";

	static final String STORE = CacheProperties.PREFIX + ".response.store";

	@Bean
	@ConditionalOnMissingBean
	ResponseCacheAdvisor resourceResponseCacheAdvisor(CacheProperties properties, ResponseCacheStore store,
			ScopeResolution scopeResolution, ObjectProvider<UsageRecorder> recorder,
			ObjectProvider<ChatModel> chatModel, ObjectProvider<RequestFingerprint> fingerprint) {
		CacheProperties.Response response = properties.getResponse();
		return ResponseCacheAdvisor.builder(store)
			.fingerprint(fingerprint.getIfAvailable(RequestFingerprint::new))
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.perUser(properties.isPerUser())
			.ttl(response.getTtl())
			.maxTemperature(response.getMaxTemperature())
			.defaultTemperature(response.getDefaultTemperature())
			.streamChunkChars(response.getStreamChunkChars())
			.order(response.getOrder())
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "memory", matchIfMissing = true)
	static class MemoryStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(ResponseCacheStore.class)
		InMemoryResponseCacheStore resourceResponseCacheStore(CacheProperties properties) {
			CacheProperties.Response response = properties.getResponse();
			return new InMemoryResponseCacheStore(response.getMaxEntries(), response.getMaxSize().toBytes());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnClass(name = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(ResponseCacheStore.class)
		RedisResponseCacheStore resourceResponseCacheStore(ObjectProvider<ResourceRedis> redis) {
			return new RedisResponseCacheStore(RedisStores.require(redis, STORE));
		}

		/**
		 * Connect when the context starts: until connected, lookups are misses and
		 * answers go unstored.
		 * @param redis the Redis access
		 * @return the warm-up
		 */
		@Bean
		@ConditionalOnMissingBean(name = "resourceResponseCacheRedisWarmUp")
		RedisConnectionWarmUp resourceResponseCacheRedisWarmUp(ObjectProvider<ResourceRedis> redis) {
			return new RedisConnectionWarmUp(RedisStores.require(redis, STORE));
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
		static class RedisStoreMetricsConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "resourceResponseCacheRedisMetrics")
			MeterBinder resourceResponseCacheRedisMetrics(ObjectProvider<RedisResponseCacheStore> store) {
				return (registry) -> store
					.ifAvailable((redisStore) -> RedisStoreMetrics.bind(redisStore.health(), registry));
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnMissingClass("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
	static class RedisStoreWithoutRedisConfiguration {

		@Bean
		@ConditionalOnMissingBean(ResponseCacheStore.class)
		ResponseCacheStore resourceResponseCacheStore() {
			throw RedisStores.missing(STORE);
		}

	}

}
