package io.github.airesource.autoconfigure.usage;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import java.time.Clock;

import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.pricing.PricingAutoConfiguration;
import io.github.airesource.autoconfigure.redis.RedisShutdownLifecycle;
import io.github.airesource.autoconfigure.redis.RedisStores;
import io.github.airesource.autoconfigure.redis.ResourceRedisAutoConfiguration;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.SystemPrompts;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.metrics.UsageMetrics;
import io.github.airesource.core.usage.redis.RedisUsageLedger;
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
 * Token usage and cost accounting: the {@link UsageAdvisor}, the {@link UsageRecorder}
 * that prices calls and feeds every {@link UsageListener} bean, the {@link UsageLedger}
 * (in memory or in Redis) and, with Micrometer, the {@code ai.resource.tokens},
 * {@code .cost} and {@code .calls} meters.
 */
@AutoConfiguration(
		after = { ResourceAutoConfiguration.class, PricingAutoConfiguration.class,
				ResourceRedisAutoConfiguration.class },
		afterName = "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ ChatClient.class, UsageAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = "ai.resource.usage.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ UsageProperties.class, SystemPromptProperties.class })
public class UsageAutoConfiguration {

	private static final String STORE = UsageProperties.PREFIX + ".store";

	/** Distinct system prompts tracked for the largest-prompts list: a few KB each. */
	private static final int MAX_TRACKED_SYSTEM_PROMPTS = 1000;

	@Bean
	@ConditionalOnMissingBean
	UsageRecorder resourceUsageRecorder(PricingCatalog pricing, ObjectProvider<UsageListener> listeners) {
		return new UsageRecorder(pricing, listeners.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	UsageAdvisor resourceUsageAdvisor(UsageRecorder recorder, TokenCounter tokenCounter,
			ScopeResolution scopeResolution, ObjectProvider<ChatModel> chatModel, UsageProperties properties,
			ObjectProvider<SystemPrompts> systemPrompts) {
		return UsageAdvisor.builder(recorder)
			.tokenCounter(tokenCounter)
			.scopeResolution(scopeResolution)
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.promptBreakdown(properties.isPromptBreakdown())
			.systemPrompts(systemPrompts.getIfAvailable())
			.order(properties.getOrder())
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = UsageProperties.PREFIX + ".prompt-breakdown", matchIfMissing = true)
	SystemPrompts resourceSystemPrompts(SystemPromptProperties properties) {
		return new SystemPrompts(MAX_TRACKED_SYSTEM_PROMPTS, properties.getSystemPromptWarnTokens());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "memory", matchIfMissing = true)
	static class MemoryStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(UsageLedger.class)
		InMemoryUsageLedger resourceUsageLedger(UsageProperties properties) {
			return new InMemoryUsageLedger(properties.getMaxTrackedScopes(), Clock.systemUTC());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnClass(name = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(UsageLedger.class)
		RedisUsageLedger resourceUsageLedger(UsageProperties properties, ObjectProvider<ResourceRedis> redis) {
			ResourceRedis resourceRedis = RedisStores.require(redis, STORE);
			InMemoryUsageLedger local = new InMemoryUsageLedger(properties.getMaxTrackedScopes(), Clock.systemUTC());
			return new RedisUsageLedger(resourceRedis, local, Clock.systemUTC(), properties.getRedisRetention(),
					properties.getMaxTrackedScopes());
		}

		@Bean
		@ConditionalOnBean(RedisUsageLedger.class)
		@ConditionalOnMissingBean(name = "resourceUsageLedgerLifecycle")
		RedisShutdownLifecycle resourceUsageLedgerLifecycle(RedisUsageLedger ledger) {
			return new RedisShutdownLifecycle(ledger::start, () -> ledger.stop(RedisUsageLedger.DEFAULT_STOP_TIMEOUT));
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
		static class RedisStoreMetricsConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "resourceUsageRedisMetrics")
			MeterBinder resourceUsageRedisMetrics(ObjectProvider<RedisUsageLedger> ledger) {
				return (registry) -> ledger.ifAvailable((redisLedger) -> RedisUsageMetrics.bind(redisLedger, registry));
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnMissingClass("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
	static class RedisStoreWithoutRedisConfiguration {

		@Bean
		@ConditionalOnMissingBean(UsageLedger.class)
		UsageLedger resourceUsageLedger() {
			throw RedisStores.missing(STORE);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		UsageMetrics resourceUsageMetrics(MeterRegistry registry) {
			return new UsageMetrics(registry);
		}

	}

}
