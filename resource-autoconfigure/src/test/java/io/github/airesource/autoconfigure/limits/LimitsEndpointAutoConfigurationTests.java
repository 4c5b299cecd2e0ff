package io.github.airesource.autoconfigure.limits;

import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.limits.LimitsDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.RejectionDescriptor;
import io.github.airesource.actuate.limits.LimitsEndpoint;
import io.github.airesource.actuate.limits.LimitsHealthIndicator;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.autoconfigure.concurrency.ConcurrencyAutoConfiguration;
import io.github.airesource.autoconfigure.guard.GuardAutoConfiguration;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the {@code ailimits} endpoint and health contributor exist: with Actuator and any
 * of rate limits, the concurrency limit or the connection pools, showing only what is
 * enabled.
 */
class LimitsEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withConfiguration(AutoConfigurations.of(ConcurrencyAutoConfiguration.class, GuardAutoConfiguration.class,
				LimitsEndpointAutoConfiguration.class))
		// The connection pool is on by default; the tests that want it turn it back on.
		.withPropertyValues("management.endpoints.web.exposure.include=ailimits", "ai.resource.pool.enabled=false");

	private final ApplicationContextRunner rateLimited = this.runner.withPropertyValues(
			"ai.resource.rate-limit.enabled=true", "ai.resource.rate-limit.limits.global-rpm.requests=100");

	private final ApplicationContextRunner concurrencyOnly = this.runner
		.withPropertyValues("ai.resource.concurrency.enabled=true", "ai.resource.concurrency.max-concurrent=3");

	@Test
	void whenRateLimitsAreEnabledAndTheEndpointIsExposedThenItExistsAndTheHealthContributorToo() {
		this.rateLimited.run((context) -> assertThat(context).hasSingleBean(LimitsEndpoint.class)
			.hasBean("ailimitsHealthIndicator"));
	}

	@Test
	void whenOnlyTheConcurrencyLimitIsEnabledThenTheReportShowsTheBulkheadAndItsRejectionsOnly() {
		this.concurrencyOnly.run((context) -> {
			LimitsDescriptor report = context.getBean(LimitsEndpoint.class).limits();

			assertThat(report.rateLimits()).isNull();
			assertThat(report.providerHolds()).isNull();
			assertThat(report.connectionPools()).isNull();
			assertThat(report.concurrency()).satisfies((bulkhead) -> {
				assertThat(bulkhead.max()).isEqualTo(3);
				assertThat(bulkhead.available()).isEqualTo(3);
				assertThat(bulkhead.active()).isZero();
			});
			assertThat(report.rejections()).extracting(RejectionDescriptor::source).containsOnly("concurrency");
			assertThat(report.rejections()).extracting(RejectionDescriptor::reason)
				.containsExactly("max-queue", "max-wait", "per-user", "per-tenant");
			assertThat(report.rejections()).allSatisfy((rejection) -> {
				assertThat(rejection.count()).isZero();
				assertThat(rejection.last()).isNull();
			});
			assertThat(context.getBean(LimitsEndpoint.class).key("global-rpm", "global")).isNull();
			Health health = context.getBean(LimitsHealthIndicator.class).health();
			assertThat(health.getStatus().getCode()).isEqualTo("UP");
			assertThat(health.getDetails()).containsOnlyKeys("concurrency");
		});
	}

	@Test
	void whenOnlyConnectionPoolsAreOnThenTheEndpointShowsThemWithoutAHealthContributor() {
		this.runner.withPropertyValues("ai.resource.pool.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(LimitsEndpoint.class).doesNotHaveBean(LimitsHealthIndicator.class);
			LimitsDescriptor report = context.getBean(LimitsEndpoint.class).limits();
			assertThat(report.connectionPools()).isNotNull();
			assertThat(report.rateLimits()).isNull();
			assertThat(report.concurrency()).isNull();
			assertThat(report.rejections()).isEmpty();
		});
	}

	@Test
	void whenNoLimitIsEnabledThenThereIsNoEndpointAndNoHealthContributor() {
		this.runner.withPropertyValues("ai.resource.guard.max-prompt-tokens=100")
			.run((context) -> assertThat(context).doesNotHaveBean(LimitsEndpoint.class)
				.doesNotHaveBean(LimitsHealthIndicator.class));
	}

	@Test
	void whenTheEndpointIsNotExposedThenOnlyTheHealthContributorExists() {
		this.rateLimited.withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(LimitsEndpoint.class)
				.hasSingleBean(LimitsHealthIndicator.class));
	}

	@Test
	void whenTheHealthContributorIsDisabledThenOnlyTheEndpointExists() {
		this.rateLimited.withPropertyValues("management.health.ailimits.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(LimitsEndpoint.class)
				.doesNotHaveBean(LimitsHealthIndicator.class));
	}

	@Test
	void whenActuatorIsMissingThenLimitsWorkWithoutEndpointOrHealth() {
		this.rateLimited.withPropertyValues("ai.resource.concurrency.enabled=true")
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).hasSingleBean(RateLimitAdvisor.class)
				.doesNotHaveBean(LimitsEndpoint.class)
				.doesNotHaveBean(LimitsHealthIndicator.class));
	}

	@Test
	void whenThePromptGuardRefusesPromptsThenItsRejectionsAreListedWithTheRateLimits() {
		this.rateLimited.withPropertyValues("ai.resource.guard.max-prompt-tokens=100").run((context) -> {
			LimitsDescriptor report = context.getBean(LimitsEndpoint.class).limits();
			assertThat(report.rejections()).extracting((rejection) -> rejection.source() + ":" + rejection.reason())
				.containsExactly("rate-limit:limit", "rate-limit:provider", "rate-limit:store-unavailable",
						"rate-limit:unpriced", "guard:max-prompt-tokens");
		});
	}

}
