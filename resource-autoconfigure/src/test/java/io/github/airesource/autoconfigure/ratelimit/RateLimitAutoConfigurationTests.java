package io.github.airesource.autoconfigure.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.ratelimit.InMemoryRateLimitStore;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitStore;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.UsageAdvisor;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class RateLimitAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	private final ApplicationContextRunner enabled = this.runner.withPropertyValues(
			"ai.resource.rate-limit.enabled=true", "ai.resource.rate-limit.limits.global-rpm.requests=60");

	@Test
	void whenRateLimitsAreNotEnabledThenNoRateLimitBeanExists() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(RateLimitAdvisor.class)
			.doesNotHaveBean(RateLimits.class)
			.doesNotHaveBean(RateLimitStore.class)
			.doesNotHaveBean(ProviderHolds.class));
	}

	@Test
	void whenEnabledThenTheAdvisorJoinsTheChainBeforeTheUsageAdvisorOverAMemoryStore() {
		this.enabled.run((context) -> {
			assertThat(context).hasSingleBean(RateLimitAdvisor.class)
				.hasSingleBean(InMemoryRateLimitStore.class)
				.hasBean("resourceRateLimitAdjustmentsLifecycle");
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), context.getBean(RateLimitAdvisor.class),
					context.getBean(UsageAdvisor.class));
			RateLimitAdvisor advisor = context.getBean(RateLimitAdvisor.class);
			assertThat(advisor.getOrder()).isEqualTo(10_600);
			assertThat(advisor.maxWait()).isZero();
			assertThat(context.getBean(RateLimits.class).limits()).containsExactly(
					new RateLimit("global-rpm", ScopeType.GLOBAL, Duration.ofMinutes(1), 60L, null, null, Set.of()));
		});
	}

	@Test
	void whenLimitsAreConfiguredThenTheyBindWithTheirScopePeriodValuesAndModels() {
		this.runner
			.withPropertyValues("ai.resource.rate-limit.enabled=true", "ai.resource.rate-limit.max-wait=2s",
					"ai.resource.rate-limit.order=10650", "ai.resource.rate-limit.limits.user-tpm.scope=user",
					"ai.resource.rate-limit.limits.user-tpm.tokens=100000",
					"ai.resource.rate-limit.limits.tenant-cph.scope=tenant",
					"ai.resource.rate-limit.limits.tenant-cph.period=1h",
					"ai.resource.rate-limit.limits.tenant-cph.cost=2.00",
					"ai.resource.rate-limit.limits.tenant-cph.models=gpt-4o")
			.run((context) -> {
				assertThat(context.getBean(RateLimits.class).limits()).containsExactly(
						new RateLimit("user-tpm", ScopeType.USER, Duration.ofMinutes(1), null, 100_000L, null,
								Set.of()),
						new RateLimit("tenant-cph", ScopeType.TENANT, Duration.ofHours(1), null, null, 2_000_000_000L,
								Set.of("gpt-4o")));
				RateLimitAdvisor advisor = context.getBean(RateLimitAdvisor.class);
				assertThat(advisor.maxWait()).isEqualTo(Duration.ofSeconds(2));
				assertThat(advisor.getOrder()).isEqualTo(10_650);
			});
	}

	@Test
	void whenMasterSwitchIsOffThenNoRateLimit() {
		this.enabled.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RateLimitAdvisor.class));
	}

	@Test
	void whenUserDefinesStoreLimitsHoldsOrAdvisorThenOursBackOff() {
		RateLimitStore store = new InMemoryRateLimitStore(Clock.systemUTC());
		this.enabled.withBean(RateLimitStore.class, () -> store)
			.run((context) -> assertThat(context.getBean(RateLimits.class).store()).isSameAs(store));
		ProviderHolds holds = new ProviderHolds(Clock.systemUTC());
		this.enabled.withBean(ProviderHolds.class, () -> holds)
			.run((context) -> assertThat(context.getBean(RateLimits.class).providerHolds()).isSameAs(holds));
		RateLimits limits = new RateLimits(List.of(), store, holds);
		this.enabled.withBean(RateLimits.class, () -> limits)
			.run((context) -> assertThat(context.getBean(RateLimitAdvisor.class).rateLimits()).isSameAs(limits));
		RateLimitAdvisor advisor = RateLimitAdvisor.builder(limits).build();
		this.enabled.withBean(RateLimitAdvisor.class, () -> advisor)
			.run((context) -> assertThat(context).getBean(RateLimitAdvisor.class).isSameAs(advisor));
	}

	@Test
	void whenProviderFeedbackIsOnThenTheModelClientsGetTheInterceptorAndTheFilter() {
		this.enabled.run((context) -> assertThat(context).hasSingleBean(RestClientCustomizer.class)
			.hasSingleBean(WebClientCustomizer.class));
		this.enabled.withPropertyValues("ai.resource.rate-limit.provider-feedback=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RestClientCustomizer.class)
				.doesNotHaveBean(WebClientCustomizer.class));
	}

	@Test
	void whenMicrometerIsPresentThenTheWaitTimerAndTheRateLimitMetersAreRegistered() {
		this.enabled
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("ai.resource.limit.wait").tag("kind", "rate-limit").timer()).isNotNull();
				assertThat(registry.get("ai.resource.rate-limit.rejections")
					.tag("reason", "provider")
					.functionCounter()
					.count()).isZero();
				assertThat(registry.get("ai.resource.rate-limit.fail-open").functionCounter()).isNotNull();
				assertThat(registry.get("ai.resource.rate-limit.provider.held").gauge().value()).isZero();
			});
	}

	@Test
	void whenTheStoreIsRedisThenTheRedisStoreAndItsConnectionWarmUpAreUsed() {
		this.enabled.withPropertyValues("ai.resource.rate-limit.store=redis")
			.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(RedisRateLimitStore.class)
				.doesNotHaveBean(InMemoryRateLimitStore.class)
				.hasBean("resourceRateLimitRedisWarmUp"));
	}

	@Test
	void whenRedisStoreAndTheUserDefinesAStoreThenNoRedisIsNeeded() {
		RateLimitStore store = new InMemoryRateLimitStore(Clock.systemUTC());
		this.enabled.withPropertyValues("ai.resource.rate-limit.store=redis")
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.withBean(RateLimitStore.class, () -> store)
			.run((context) -> assertThat(context).hasNotFailed().getBean(RateLimitStore.class).isSameAs(store));
	}

	@Test
	void whenRedisStoreWithoutARedisConnectionThenStartupFailsSayingWhatToAdd() {
		this.enabled.withPropertyValues("ai.resource.rate-limit.store=redis")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("Property: ai.resource.rate-limit.store"));
		this.enabled.withPropertyValues("ai.resource.rate-limit.store=redis")
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: ai.resource.rate-limit.store");
				assertThat(analysis.getAction()).contains("spring-boot-starter-data-redis")
					.contains("ai.resource.rate-limit.store=memory");
			});
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"ai.resource.rate-limit.limits.x.scope=user | ai.resource.rate-limit.limits.x | .requests (calls per period)",
			"ai.resource.rate-limit.limits.x.requests=0 | ai.resource.rate-limit.limits.x.requests | more than 0",
			"ai.resource.rate-limit.limits.x.tokens=-5 | ai.resource.rate-limit.limits.x.tokens | more than 0",
			"ai.resource.rate-limit.limits.x.cost=0 | ai.resource.rate-limit.limits.x.cost | such as 2.00",
			"ai.resource.rate-limit.limits.x.cost=-1.5 | ai.resource.rate-limit.limits.x.cost | such as 2.00",
			"ai.resource.rate-limit.limits.x.requests=5,ai.resource.rate-limit.limits.x.scope=planet | ai.resource.rate-limit.limits.x.scope | global, tenant, user, conversation",
			"ai.resource.rate-limit.limits.x.requests=5,ai.resource.rate-limit.limits.x.period=0s | ai.resource.rate-limit.limits.x.period | such as 1s",
			"ai.resource.rate-limit.max-wait=-1s | ai.resource.rate-limit.max-wait | such as 2s",
			"ai.resource.rate-limit.default-output-reservation=-1 | ai.resource.rate-limit.default-output-reservation | such as 1024" })
	void whenValueIsInvalidThenStartupFailsNamingThePropertyAndTheFix(String settings, String property, String advice) {
		this.runner.withPropertyValues("ai.resource.rate-limit.enabled=true")
			.withPropertyValues(settings.split(","))
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: " + property);
				assertThat(analysis.getAction()).contains(advice);
			});
	}

	@Test
	void whenACostLimitCoversTheDefaultModelWithoutAPriceThenStartupFailsNamingTheLimitAndThePrice() {
		ChatModel chatModel = mock(ChatModel.class);
		given(chatModel.getDefaultOptions()).willReturn(ChatOptions.builder().model("mystery-7b").build());
		this.runner
			.withPropertyValues("ai.resource.rate-limit.enabled=true",
					"ai.resource.rate-limit.limits.tenant-cph.cost=2.00")
			.withBean(ChatModel.class, () -> chatModel)
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("Property: ai.resource.rate-limit.limits.tenant-cph.cost")
					.contains("mystery-7b");
				assertThat(analysis.getAction()).contains("ai.resource.pricing.models.mystery-7b");
			});
	}

}
