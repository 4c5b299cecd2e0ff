package io.github.airesource.autoconfigure.concurrency;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.concurrency.ConcurrencyAdvisor;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencyPermit;
import io.github.airesource.core.concurrency.ConcurrencyPriority;
import io.github.airesource.core.concurrency.ConcurrencySnapshot;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;

class ConcurrencyAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withConfiguration(AutoConfigurations.of(ConcurrencyAutoConfiguration.class));

	private final ApplicationContextRunner enabled = this.runner
		.withPropertyValues("ai.resource.concurrency.enabled=true");

	@Test
	void whenConcurrencyIsNotEnabledThenNoConcurrencyBeanExists() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ConcurrencyAdvisor.class)
			.doesNotHaveBean(ConcurrencyBulkhead.class));
	}

	@Test
	void whenEnabledThenTheAdvisorJoinsTheChainBeforeTheUsageAdvisorWithTheDefaultLimits() {
		this.enabled.run((context) -> {
			assertThat(context).hasSingleBean(ConcurrencyAdvisor.class).hasSingleBean(ConcurrencyBulkhead.class);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), context.getBean(ConcurrencyAdvisor.class),
					context.getBean(UsageAdvisor.class));
			assertThat(context.getBean(ConcurrencyAdvisor.class).getOrder()).isEqualTo(10_700);
			ConcurrencySnapshot snapshot = context.getBean(ConcurrencyBulkhead.class).snapshot();
			assertThat(snapshot.name()).isEqualTo("ai-resource");
			assertThat(snapshot.max()).isEqualTo(5);
			assertThat(snapshot.available()).isEqualTo(5);
			assertThat(snapshot.maxQueue()).isEqualTo(100);
			assertThat(snapshot.reservedForHigh()).isZero();
			assertThat(snapshot.users().cap()).isZero();
			assertThat(snapshot.tenants().cap()).isZero();
		});
	}

	@Test
	void whenLimitsAreSetThenTheBulkheadKeepsThem() {
		this.enabled
			.withPropertyValues("ai.resource.concurrency.max-concurrent=3", "ai.resource.concurrency.max-queue=0",
					"ai.resource.concurrency.per-user=1", "ai.resource.concurrency.per-tenant=2",
					"ai.resource.concurrency.reserved-for-high=1", "ai.resource.concurrency.order=10650")
			.run((context) -> {
				ConcurrencyBulkhead bulkhead = context.getBean(ConcurrencyBulkhead.class);
				ConcurrencySnapshot snapshot = bulkhead.snapshot();
				assertThat(snapshot.max()).isEqualTo(3);
				assertThat(snapshot.maxQueue()).isZero();
				assertThat(snapshot.users().cap()).isEqualTo(1);
				assertThat(snapshot.tenants().cap()).isEqualTo(2);
				assertThat(snapshot.reservedForHigh()).isEqualTo(1);
				assertThat(context.getBean(ConcurrencyAdvisor.class).getOrder()).isEqualTo(10_650);
			});
	}

	@Test
	void whenMasterSwitchIsOffThenNoConcurrencyLimit() {
		this.enabled.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ConcurrencyAdvisor.class));
	}

	@Test
	void whenUserDefinesBulkheadOrAdvisorThenOursBackOff() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(9).build();
		this.enabled.withBean(ConcurrencyBulkhead.class, () -> bulkhead)
			.run((context) -> assertThat(context.getBean(ConcurrencyAdvisor.class).bulkhead()).isSameAs(bulkhead));
		ConcurrencyAdvisor advisor = ConcurrencyAdvisor.builder(bulkhead).order(1).build();
		this.enabled.withBean(ConcurrencyAdvisor.class, () -> advisor)
			.run((context) -> assertThat(context).getBean(ConcurrencyAdvisor.class).isSameAs(advisor));
	}

	@Test
	void whenResilience4jsRegistryExistsThenTheBulkheadIsRegisteredThere() {
		this.enabled.withConfiguration(AutoConfigurations.of(BulkheadAutoConfiguration.class))
			.withPropertyValues("ai.resource.concurrency.max-concurrent=4")
			.run((context) -> {
				BulkheadRegistry registry = context.getBean(BulkheadRegistry.class);
				ConcurrencyBulkhead bulkhead = context.getBean(ConcurrencyBulkhead.class);
				assertThat(registry.find("ai-resource")).containsSame(bulkhead.resilience4jBulkhead());
				assertThat(bulkhead.resilience4jBulkhead().getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(4);
			});
	}

	@Test
	void whenResilience4jConfiguresTheSameBulkheadThenOurLimitsWin() {
		this.enabled.withConfiguration(AutoConfigurations.of(BulkheadAutoConfiguration.class))
			.withPropertyValues("resilience4j.bulkhead.instances.ai-resource.max-concurrent-calls=50",
					"resilience4j.bulkhead.instances.ai-resource.max-wait-duration=10s")
			.run((context) -> {
				var config = context.getBean(ConcurrencyBulkhead.class).resilience4jBulkhead().getBulkheadConfig();
				assertThat(config.getMaxConcurrentCalls()).isEqualTo(5);
				assertThat(config.getMaxWaitDuration()).isZero();
			});
	}

	@Test
	void whenResilience4jSpringBootIsMissingThenTheBulkheadStandsAlone() {
		this.enabled.withClassLoader(new FilteredClassLoader("io.github.resilience4j.springboot3")).run((context) -> {
			assertThat(context).hasSingleBean(ConcurrencyAdvisor.class).doesNotHaveBean(BulkheadRegistry.class);
			ConcurrencyBulkhead bulkhead = context.getBean(ConcurrencyBulkhead.class);
			ConcurrencyPermit permit = bulkhead.acquire(ConcurrencyPriority.NORMAL, CallScope.NONE);
			assertThat(bulkhead.snapshot().active()).isEqualTo(1);
			permit.close();
		});
	}

	@Test
	void whenMicrometerIsPresentThenActiveQueuedAndWaitAreMetered() {
		this.enabled.withPropertyValues("ai.resource.concurrency.max-concurrent=1")
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				ConcurrencyBulkhead bulkhead = context.getBean(ConcurrencyBulkhead.class);
				ConcurrencyPermit running = bulkhead.acquire(ConcurrencyPriority.NORMAL, CallScope.NONE);
				ConcurrencyPermit waiting = bulkhead.enter(ConcurrencyPriority.HIGH, CallScope.NONE);

				assertThat(registry.get("ai.resource.concurrency.active").gauge().value()).isEqualTo(1);
				assertThat(registry.get("ai.resource.concurrency.queued").tag("priority", "high").gauge().value())
					.isEqualTo(1);
				assertThat(registry.get("ai.resource.concurrency.queued").tag("priority", "low").gauge().value())
					.isZero();

				running.close();
				waiting.await();
				waiting.close();
				var wait = registry.get("ai.resource.limit.wait").tag("kind", "concurrency").timer();
				assertThat(wait.count()).isEqualTo(2);
				assertThat(wait.max(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
				assertThat(registry.get("ai.resource.concurrency.active").gauge().value()).isZero();
			});
	}

	@Test
	void whenMicrometerIsMissingThenTheLimitWorksWithoutMeters() {
		this.enabled.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(ConcurrencyAdvisor.class)
				.doesNotHaveBean("resourceConcurrencyMetrics"));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"ai.resource.concurrency.max-concurrent=0 | ai.resource.concurrency.max-concurrent | 1 or more",
			"ai.resource.concurrency.max-queue=-1 | ai.resource.concurrency.max-queue | such as 100",
			"ai.resource.concurrency.max-wait=-1s | ai.resource.concurrency.max-wait | such as 30s",
			"ai.resource.concurrency.per-user=-2 | ai.resource.concurrency.per-user | 0 for no cap",
			"ai.resource.concurrency.per-tenant=-2 | ai.resource.concurrency.per-tenant | 0 for no cap",
			"ai.resource.concurrency.reserved-for-high=-1 | ai.resource.concurrency.reserved-for-high | 0",
			"ai.resource.concurrency.reserved-for-high=5 | ai.resource.concurrency.reserved-for-high | below ai.resource.concurrency.max-concurrent" })
	void whenAValueIsInvalidThenStartupFailsNamingThePropertyAndTheFix(String setting, String property, String advice) {
		this.enabled.withPropertyValues(setting).run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: " + property);
			assertThat(analysis.getAction()).contains(advice);
		});
	}

	@Test
	void whenMaxWaitIsZeroThenCallsAreRefusedInsteadOfWaiting() {
		this.enabled.withPropertyValues("ai.resource.concurrency.max-wait=0s")
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(ConcurrencyBulkhead.class)
				.satisfies((bulkhead) -> assertThat(bulkhead.snapshot().max()).isEqualTo(5)));
	}

}
