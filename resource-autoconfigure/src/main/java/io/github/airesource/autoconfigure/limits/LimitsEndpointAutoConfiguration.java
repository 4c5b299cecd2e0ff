package io.github.airesource.autoconfigure.limits;

import io.github.airesource.actuate.limits.LimitsEndpoint;
import io.github.airesource.actuate.limits.LimitsHealthIndicator;
import io.github.airesource.autoconfigure.concurrency.ConcurrencyAutoConfiguration;
import io.github.airesource.autoconfigure.guard.GuardAutoConfiguration;
import io.github.airesource.autoconfigure.pool.ConnectionPools;
import io.github.airesource.autoconfigure.pool.PoolAutoConfiguration;
import io.github.airesource.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.guard.PromptGuardAdvisor;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimits;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * The {@code ailimits} Actuator endpoint (when exposed), when Actuator is present and
 * rate limits, the concurrency limit or the connection pools are enabled; and the
 * {@code ailimits} health contributor when rate limits or the concurrency limit are
 * (pools alone have nothing that could be saturated in a way health should report).
 */
@AutoConfiguration(after = { RateLimitAutoConfiguration.class, ConcurrencyAutoConfiguration.class,
		PoolAutoConfiguration.class, GuardAutoConfiguration.class })
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@Conditional(LimitsEndpointAutoConfiguration.OnAnyLimit.class)
public class LimitsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(LimitsEndpoint.class)
	LimitsEndpoint limitsEndpoint(ObjectProvider<RateLimits> rateLimits, ObjectProvider<RateLimitAdvisor> advisor,
			ObjectProvider<ConcurrencyBulkhead> bulkhead, ObjectProvider<ConnectionPools> pools,
			ObjectProvider<PromptGuardAdvisor> promptGuard) {
		return new LimitsEndpoint(rateLimits.getIfUnique(), advisor.getIfUnique(), bulkhead.getIfUnique(),
				pools.getIfUnique(), promptGuard.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean(name = "ailimitsHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("ailimits")
	@Conditional(OnRateLimitsOrConcurrency.class)
	LimitsHealthIndicator ailimitsHealthIndicator(ObjectProvider<RateLimits> rateLimits,
			ObjectProvider<ConcurrencyBulkhead> bulkhead) {
		return new LimitsHealthIndicator(rateLimits.getIfUnique(), bulkhead.getIfUnique());
	}

	static class OnAnyLimit extends AnyNestedCondition {

		OnAnyLimit() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBean(RateLimits.class)
		static class RateLimitsEnabled {

		}

		@ConditionalOnBean(ConcurrencyBulkhead.class)
		static class ConcurrencyEnabled {

		}

		@ConditionalOnBean(ConnectionPools.class)
		static class PoolsEnabled {

		}

	}

	static class OnRateLimitsOrConcurrency extends AnyNestedCondition {

		OnRateLimitsOrConcurrency() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBean(RateLimits.class)
		static class RateLimitsEnabled {

		}

		@ConditionalOnBean(ConcurrencyBulkhead.class)
		static class ConcurrencyEnabled {

		}

	}

}
