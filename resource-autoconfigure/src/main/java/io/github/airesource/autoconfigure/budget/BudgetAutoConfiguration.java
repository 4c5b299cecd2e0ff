package io.github.airesource.autoconfigure.budget;

import java.time.Clock;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.pricing.PricingAutoConfiguration;
import io.github.airesource.autoconfigure.redis.ResourceRedisAutoConfiguration;
import io.github.airesource.autoconfigure.redis.RedisConnectionWarmUp;
import io.github.airesource.autoconfigure.redis.RedisShutdownLifecycle;
import io.github.airesource.autoconfigure.redis.RedisStoreMetrics;
import io.github.airesource.autoconfigure.redis.RedisStores;
import io.github.airesource.autoconfigure.redis.ResourceRedisProperties;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetLimitResolver;
import io.github.airesource.core.budget.BudgetReservationPartner;
import io.github.airesource.core.budget.BudgetStore;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.redis.FailureMode;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageRecorder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
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
 * Token and cost budgets ({@code ai.resource.budget.enabled=true}): the {@link Budgets}
 * of the configured limits, their {@link BudgetStore} (in memory or in Redis) and the
 * {@link BudgetAdvisor} that reserves before each call and settles after it (with a
 * {@link BudgetReservationPartner} when there is one: the joint admission of budgets and
 * rate limits on one Redis); with Micrometer, the meters of calls let through by
 * fail-open and of settlements that failed, were recovered by a retry, were abandoned or
 * wait for a retry.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, PricingAutoConfiguration.class,
		ResourceRedisAutoConfiguration.class, UsageAutoConfiguration.class })
@ConditionalOnClass({ ChatClient.class, BudgetAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = BudgetProperties.PREFIX + ".enabled")
@EnableConfigurationProperties(BudgetProperties.class)
public class BudgetAutoConfiguration {

	static final String STORE = BudgetProperties.PREFIX + ".store";

	@Bean
	@ConditionalOnMissingBean
	Budgets resourceBudgets(BudgetProperties properties, BudgetStore store,
			ObjectProvider<BudgetLimitResolver> limitResolver) {
		return new Budgets(properties.toLimits(), store, limitResolver.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	BudgetAdvisor resourceBudgetAdvisor(Budgets budgets, BudgetProperties properties, PricingCatalog pricing,
			TokenCounter tokenCounter, ScopeResolution scopeResolution, ObjectProvider<UsageRecorder> recorder,
			ObjectProvider<ChatModel> chatModel, ObjectProvider<ResourceRedisProperties> redisProperties,
			ObjectProvider<BudgetReservationPartner> reservationPartner) {
		BudgetPricingCheck.check(budgets.limits(), pricing, ChatModels.defaultModelOf(chatModel).get());
		ResourceRedisProperties redis = redisProperties.getIfAvailable();
		return BudgetAdvisor.builder(budgets)
			.reservationPartner(reservationPartner.getIfUnique())
			.pricing(pricing)
			.tokenCounter(tokenCounter)
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.defaultOutputReservation(properties.getDefaultOutputReservation())
			.reservationTtl(properties.getReservationTtl())
			.failureMode((redis != null) ? redis.getFailureMode() : FailureMode.FAIL_CLOSED)
			.order(properties.getOrder())
			.build();
	}

	@Bean
	@ConditionalOnMissingBean(name = "resourceBudgetSettlementsLifecycle")
	RedisShutdownLifecycle resourceBudgetSettlementsLifecycle(BudgetAdvisor advisor) {
		// Settlements waiting for a retry are sent while Redis can still be reached.
		return RedisShutdownLifecycle.onStop(() -> advisor.flushSettlements(BudgetAdvisor.DEFAULT_FLUSH_TIMEOUT));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "memory", matchIfMissing = true)
	static class MemoryStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(BudgetStore.class)
		InMemoryBudgetStore resourceBudgetStore() {
			return new InMemoryBudgetStore(Clock.systemUTC());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnClass(name = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(BudgetStore.class)
		RedisBudgetStore resourceBudgetStore(ObjectProvider<ResourceRedis> redis) {
			return new RedisBudgetStore(RedisStores.require(redis, STORE));
		}

		@Bean
		@ConditionalOnMissingBean(name = "resourceBudgetRedisWarmUp")
		RedisConnectionWarmUp resourceBudgetRedisWarmUp(ObjectProvider<ResourceRedis> redis) {
			return new RedisConnectionWarmUp(RedisStores.require(redis, STORE));
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
		static class RedisStoreMetricsConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "resourceBudgetRedisMetrics")
			MeterBinder resourceBudgetRedisMetrics(ObjectProvider<RedisBudgetStore> store) {
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
		@ConditionalOnMissingBean(BudgetStore.class)
		BudgetStore resourceBudgetStore() {
			throw RedisStores.missing(STORE);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceBudgetMetrics")
		MeterBinder resourceBudgetMetrics(ObjectProvider<Budgets> budgets) {
			return (registry) -> budgets.ifAvailable((all) -> BudgetMetrics.bind(all, registry));
		}

		@Bean
		@ConditionalOnMissingBean(name = "resourceBudgetAdvisorMetrics")
		MeterBinder resourceBudgetAdvisorMetrics(ObjectProvider<BudgetAdvisor> advisor) {
			return (registry) -> advisor.ifAvailable((budget) -> {
				FunctionCounter.builder("ai.resource.budget.fail-open", budget, BudgetAdvisor::failOpenCalls)
					.description("Calls let through without a budget check because the store failed (fail-open)")
					.register(registry);
				FunctionCounter
					.builder("ai.resource.budget.settlement.failures", budget, BudgetAdvisor::failedSettlements)
					.description("Budget settlements the store failed at their first attempt; they are retried")
					.register(registry);
				FunctionCounter
					.builder("ai.resource.budget.settlement.recovered", budget, BudgetAdvisor::recoveredSettlements)
					.description("Failed budget settlements the store took on a retry")
					.register(registry);
				FunctionCounter
					.builder("ai.resource.budget.settlement.abandoned", budget, BudgetAdvisor::abandonedSettlements)
					.description("Failed budget settlements given up (retry queue full, or the store forgot the "
							+ "reservation); what those calls used is not charged")
					.register(registry);
				Gauge.builder("ai.resource.budget.settlement.pending", budget, BudgetAdvisor::pendingSettlements)
					.description("Failed budget settlements waiting for a retry")
					.register(registry);
			});
		}

	}

}
