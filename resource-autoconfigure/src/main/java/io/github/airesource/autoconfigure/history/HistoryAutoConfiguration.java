package io.github.airesource.autoconfigure.history;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.redis.RedisStoreMetrics;
import io.github.airesource.autoconfigure.redis.RedisStores;
import io.github.airesource.autoconfigure.redis.ResourceRedisAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.history.ChatModelHistorySummarizer;
import io.github.airesource.core.history.HistoryAdvisor;
import io.github.airesource.core.history.HistoryStatistics;
import io.github.airesource.core.history.HistoryStore;
import io.github.airesource.core.history.HistorySummarizer;
import io.github.airesource.core.history.InMemoryHistoryStore;
import io.github.airesource.core.history.redis.RedisHistoryStore;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chat-history trimming and summarization ({@code ai.resource.history.*}), off until
 * {@code ai.resource.history.enabled=true}: the {@link HistoryAdvisor}, the store of each
 * conversation's cut and summary (memory, or Redis when
 * {@code ai.resource.cache.response.store=redis}), and with
 * {@code ai.resource.history.summarize.enabled=true} a summarizer over the application's
 * {@link ChatModel} that asks the summary model by name.
 */
@AutoConfiguration(
		after = { ResourceAutoConfiguration.class, UsageAutoConfiguration.class, ResourceRedisAutoConfiguration.class })
@ConditionalOnClass({ ChatClient.class, HistoryAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = HistoryProperties.PREFIX + ".enabled")
@EnableConfigurationProperties(HistoryProperties.class)
public class HistoryAutoConfiguration {

	/** The property that chooses where the history state is kept. */
	static final String STORE = "ai.resource.cache.response.store";

	@Bean
	@ConditionalOnMissingBean
	HistoryStatistics resourceHistoryStatistics() {
		return new HistoryStatistics();
	}

	@Bean
	@ConditionalOnMissingBean(HistorySummarizer.class)
	@ConditionalOnBooleanProperty(name = HistoryProperties.PREFIX + ".summarize.enabled")
	ChatModelHistorySummarizer resourceHistorySummarizer(HistoryProperties properties,
			ObjectProvider<ChatModel> chatModel, ObjectProvider<UsageRecorder> recorder, HistoryStatistics statistics,
			TokenCounter tokenCounter) {
		return ChatModelHistorySummarizer.builder(() -> {
			ChatModel model = chatModel.getIfUnique();
			if (model == null) {
				throw new IllegalStateException("History summaries need exactly one ChatModel bean");
			}
			return model;
		})
			.model(properties.getSummarize().getModel())
			.timeout(properties.getSummarize().getTimeout())
			.recorder(recorder.getIfAvailable())
			.statistics(statistics)
			.tokenCounter(tokenCounter)
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	HistoryAdvisor resourceHistoryAdvisor(HistoryProperties properties, TokenCounter tokenCounter,
			ScopeResolution scopeResolution, HistoryStore store, ObjectProvider<HistorySummarizer> summarizer,
			ObjectProvider<UsageRecorder> recorder, ObjectProvider<ChatModel> chatModel, HistoryStatistics statistics) {
		return HistoryAdvisor.builder(properties.getMaxTokens())
			.maxMessages(properties.getMaxMessages())
			.trimTo(properties.getTrimTo())
			.tokenCounter(tokenCounter)
			.store(store)
			.summarizer(properties.getSummarize().isEnabled() ? summarizer.getIfUnique() : null)
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.statistics(statistics)
			.order(properties.getOrder())
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "memory", matchIfMissing = true)
	static class MemoryStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(HistoryStore.class)
		InMemoryHistoryStore resourceHistoryStore() {
			return new InMemoryHistoryStore();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnClass(name = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(HistoryStore.class)
		RedisHistoryStore resourceHistoryStore(ObjectProvider<ResourceRedis> redis) {
			return new RedisHistoryStore(RedisStores.require(redis, STORE));
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
		static class RedisStoreMetricsConfiguration {

			/**
			 * Count the history store's failed Redis round trips, which calls survive
			 * without their remembered cut, in {@code ai.resource.redis.failures} as
			 * every Redis store's.
			 * @param store the store, when it is this Redis store
			 * @return the binder
			 */
			@Bean
			@ConditionalOnMissingBean(name = "resourceHistoryRedisMetrics")
			MeterBinder resourceHistoryRedisMetrics(ObjectProvider<RedisHistoryStore> store) {
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
		@ConditionalOnMissingBean(HistoryStore.class)
		HistoryStore resourceHistoryStore() {
			throw RedisStores.missing(STORE);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceHistoryMetrics")
		MeterBinder resourceHistoryMetrics(HistoryStatistics statistics) {
			return (registry) -> HistoryMetrics.bind(statistics, registry);
		}

	}

}
