package io.github.airesource.autoconfigure.ratelimit;

import java.time.Clock;
import java.time.Duration;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.pricing.PricingAutoConfiguration;
import io.github.airesource.autoconfigure.redis.RedisConnectionWarmUp;
import io.github.airesource.autoconfigure.redis.RedisShutdownLifecycle;
import io.github.airesource.autoconfigure.redis.RedisStoreMetrics;
import io.github.airesource.autoconfigure.redis.RedisStores;
import io.github.airesource.autoconfigure.redis.ResourceRedisAutoConfiguration;
import io.github.airesource.autoconfigure.redis.ResourceRedisProperties;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.ratelimit.InMemoryRateLimitStore;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitStore;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.redis.FailureMode;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.TokenCounter;
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
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Request, token and cost rate limits ({@code ai.resource.rate-limit.enabled=true}): the
 * {@link RateLimits} of the configured limits, their {@link RateLimitStore} (in memory or
 * in Redis), the {@link ProviderHolds} that providers' rate-limit answers set, and the
 * {@link RateLimitAdvisor}. With provider feedback on, a {@code RestClientCustomizer} and
 * a {@code WebClientCustomizer} let the model clients' raw responses set holds (Spring
 * AI's error handler drops a 429's headers); with Micrometer, the wait timer and the
 * rejection, fail-open and provider-hold meters.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, PricingAutoConfiguration.class,
		ResourceRedisAutoConfiguration.class, UsageAutoConfiguration.class })
@ConditionalOnClass({ ChatClient.class, RateLimitAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = RateLimitProperties.PREFIX + ".enabled")
@EnableConfigurationProperties(RateLimitProperties.class)
public class RateLimitAutoConfiguration {

	static final String STORE = RateLimitProperties.PREFIX + ".store";

	static final String PROVIDER_FEEDBACK = RateLimitProperties.PREFIX + ".provider-feedback";

	/** How long shutdown waits for the answers to adjustments sent without waiting. */
	static final Duration ADJUSTMENTS_TIMEOUT = Duration.ofSeconds(10);

	private final RateLimitWaits waits = new RateLimitWaits();

	@Bean
	@ConditionalOnMissingBean
	ProviderHolds resourceProviderHolds() {
		return new ProviderHolds(Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	RateLimits resourceRateLimits(RateLimitProperties properties, RateLimitStore store, ProviderHolds holds) {
		return new RateLimits(properties.toLimits(), store, holds);
	}

	@Bean
	@ConditionalOnMissingBean
	RateLimitAdvisor resourceRateLimitAdvisor(RateLimits rateLimits, RateLimitProperties properties,
			PricingCatalog pricing, TokenCounter tokenCounter, ScopeResolution scopeResolution,
			ObjectProvider<UsageRecorder> recorder, ObjectProvider<ChatModel> chatModel,
			ObjectProvider<ResourceRedisProperties> redisProperties) {
		RateLimitPricingCheck.check(rateLimits.limits(), pricing, ChatModels.defaultModelOf(chatModel).get());
		ResourceRedisProperties redis = redisProperties.getIfAvailable();
		return RateLimitAdvisor.builder(rateLimits)
			.pricing(pricing)
			.tokenCounter(tokenCounter)
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.defaultOutputReservation(properties.getDefaultOutputReservation())
			.maxWait(properties.getMaxWait())
			.providerFeedback(properties.isProviderFeedback())
			.failureMode((redis != null) ? redis.getFailureMode() : FailureMode.FAIL_CLOSED)
			.waitRecorder(this.waits)
			.order(properties.getOrder())
			.build();
	}

	@Bean
	@ConditionalOnMissingBean(name = "resourceRateLimitAdjustmentsLifecycle")
	RedisShutdownLifecycle resourceRateLimitAdjustmentsLifecycle(RateLimitAdvisor advisor) {
		// Adjustments sent without waiting get their answers while Redis can still be
		// reached.
		return RedisShutdownLifecycle.onStop(() -> advisor.awaitAdjustments(ADJUSTMENTS_TIMEOUT));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "memory", matchIfMissing = true)
	static class MemoryStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(RateLimitStore.class)
		InMemoryRateLimitStore resourceRateLimitStore() {
			return new InMemoryRateLimitStore(Clock.systemUTC());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = STORE, havingValue = "redis")
	@ConditionalOnClass(name = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory")
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(RateLimitStore.class)
		RedisRateLimitStore resourceRateLimitStore(ObjectProvider<ResourceRedis> redis) {
			return new RedisRateLimitStore(RedisStores.require(redis, STORE));
		}

		@Bean
		@ConditionalOnMissingBean(name = "resourceRateLimitRedisWarmUp")
		RedisConnectionWarmUp resourceRateLimitRedisWarmUp(ObjectProvider<ResourceRedis> redis) {
			return new RedisConnectionWarmUp(RedisStores.require(redis, STORE));
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
		static class RedisStoreMetricsConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "resourceRateLimitRedisMetrics")
			MeterBinder resourceRateLimitRedisMetrics(ObjectProvider<RedisRateLimitStore> store) {
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
		@ConditionalOnMissingBean(RateLimitStore.class)
		RateLimitStore resourceRateLimitStore() {
			throw RedisStores.missing(STORE);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = PROVIDER_FEEDBACK, matchIfMissing = true)
	@ConditionalOnClass(name = { "org.springframework.web.client.RestClient",
			"org.springframework.http.client.ClientHttpRequestInterceptor" })
	static class BlockingProviderFeedbackConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceRateLimitRestClientCustomizer")
		RestClientCustomizer resourceRateLimitRestClientCustomizer(ProviderHolds holds) {
			ProviderFeedbackInterceptor interceptor = new ProviderFeedbackInterceptor(holds);
			return (builder) -> builder.requestInterceptor(interceptor);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = PROVIDER_FEEDBACK, matchIfMissing = true)
	@ConditionalOnClass(name = "org.springframework.web.reactive.function.client.WebClient")
	static class StreamingProviderFeedbackConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceRateLimitWebClientCustomizer")
		WebClientCustomizer resourceRateLimitWebClientCustomizer(ProviderHolds holds) {
			ProviderFeedbackFilter filter = new ProviderFeedbackFilter(holds);
			return (builder) -> builder.filter(filter);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceRateLimitMetrics")
		MeterBinder resourceRateLimitMetrics(ObjectProvider<RateLimitAdvisor> advisor,
				RateLimitAutoConfiguration configuration) {
			return (registry) -> advisor
				.ifAvailable((limiter) -> RateLimitMetrics.bind(limiter, configuration.waits, registry));
		}

	}

}
