package io.github.airesource.autoconfigure.memory;

import java.util.Map;

import io.github.airesource.actuate.memory.MemoryHealthIndicator;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.HeldResources;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.memory.MemoryGuardAdvisor;
import io.github.airesource.core.memory.MemoryMonitor;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;

class MemoryAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withConfiguration(AutoConfigurations.of(MemoryAutoConfiguration.class));

	@Test
	void byDefaultTheGuardJoinsTheChainFirstAfterScopeCaptureAndTheMonitorRunsWithTheContext() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(MemoryMonitor.class)
				.hasSingleBean(MemoryGuardAdvisor.class);
			MemoryMonitor monitor = context.getBean(MemoryMonitor.class);
			assertThat(monitor.maxHeapUsage()).isEqualTo(0.90);
			assertThat(monitor.isRunning()).isTrue();
			assertThat(monitor.underPressure()).isFalse();
			MemoryGuardAdvisor guard = context.getBean(MemoryGuardAdvisor.class);
			assertThat(guard.getOrder()).isEqualTo(10_100);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), guard, context.getBean(UsageAdvisor.class));
		});
	}

	@Test
	void whenTheContextClosesThenTheMonitorStops() {
		MemoryMonitor[] monitor = new MemoryMonitor[1];
		this.runner.run((context) -> monitor[0] = context.getBean(MemoryMonitor.class));
		assertThat(monitor[0].isRunning()).isFalse();
	}

	@Test
	void whenSetThenTheThresholdAndOrderApply() {
		this.runner.withPropertyValues("ai.resource.memory.max-heap-usage=0.75", "ai.resource.memory.order=10110")
			.run((context) -> {
				assertThat(context.getBean(MemoryMonitor.class).maxHeapUsage()).isEqualTo(0.75);
				assertThat(context.getBean(MemoryGuardAdvisor.class).getOrder()).isEqualTo(10_110);
			});
	}

	@Test
	void whenDisabledThenNothingIsCreated() {
		this.runner.withPropertyValues("ai.resource.memory.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(MemoryMonitor.class)
				.doesNotHaveBean(MemoryGuardAdvisor.class)
				.doesNotHaveBean(MemoryHealthIndicator.class);
			assertThat(context.getBean(ResourceAdvisors.class).asList())
				.noneMatch(MemoryGuardAdvisor.class::isInstance);
		});
	}

	@Test
	void whenTheMasterSwitchIsOffThenNothingIsCreated() {
		this.runner.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MemoryMonitor.class));
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "1", "1.5", "-0.2" })
	void whenTheThresholdIsNotAFractionThenStartupFailsNamingIt(String value) {
		this.runner.withPropertyValues("ai.resource.memory.max-heap-usage=" + value).run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: ai.resource.memory.max-heap-usage");
			assertThat(analysis.getAction()).contains("ai.resource.memory.max-heap-usage").contains("0.90");
		});
	}

	@Test
	void whenActuatorIsPresentThenTheAimemoryHealthIsUpWithTheFigures() {
		this.runner.run((context) -> {
			assertThat(context).hasBean("aimemoryHealthIndicator");
			Health health = context.getBean("aimemoryHealthIndicator", MemoryHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsKeys("heapUsageAfterGc", "maxHeapUsage", "heapAfterGc", "watched",
					"heap", "nonHeap", "gc", "rejected");
			assertThat(health.getDetails().get("maxHeapUsage")).isEqualTo(0.90);
		});
	}

	@Test
	void whenFeaturesHoldResourcesThenTheAimemoryHealthListsWhatIsHeldNow() {
		this.runner
			.withPropertyValues("ai.resource.concurrency.enabled=true", "ai.resource.cache.response.enabled=true",
					"ai.resource.budget.enabled=true", "ai.resource.budget.limits.daily.scope=global",
					"ai.resource.budget.limits.daily.period=1d", "ai.resource.budget.limits.daily.max-tokens=100000")
			.withBean("inFlightJobs", HeldResources.class, () -> () -> Map.of("test.jobs", 3L))
			.run((context) -> {
				Health health = context.getBean("aimemoryHealthIndicator", MemoryHealthIndicator.class).health();
				assertThat(health.getDetails().get("held"))
					.isEqualTo(Map.of("concurrency.permits", 0L, "concurrency.waiting", 0L, "cache.response.loads", 0L,
							"budget.reservations", 0L, "test.jobs", 3L));
			});
	}

	@Test
	void whenTheHealthIndicatorIsDisabledThenItIsNotCreated() {
		this.runner.withPropertyValues("management.health.aimemory.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(MemoryGuardAdvisor.class)
				.doesNotHaveBean(MemoryHealthIndicator.class));
	}

	@Test
	void whenActuatorIsMissingThenTheGuardStillWorksWithoutHealth() {
		this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.health"))
			.run((context) -> assertThat(context).hasSingleBean(MemoryGuardAdvisor.class)
				.doesNotHaveBean(MemoryHealthIndicator.class));
	}

	@Test
	void whenAMeterRegistryExistsThenTheMemoryMetersAreBound() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean("resourceMemoryMetrics", io.micrometer.core.instrument.binder.MeterBinder.class)
				.bindTo(registry);
			assertThat(registry.get("ai.resource.memory.pressure").gauge().value()).isZero();
			assertThat(registry.get("ai.resource.memory.max.heap.usage").gauge().value()).isEqualTo(0.90);
			assertThat(registry.get("ai.resource.memory.heap.after.gc").gauge()).isNotNull();
			assertThat(registry.get("ai.resource.memory.rejected").functionCounter().count()).isZero();
		});
	}

	@Test
	void whenTheUserDefinesTheMonitorThenOursBacksOff() {
		MemoryMonitor own = MemoryMonitor.create(0.5);
		this.runner.withBean(MemoryMonitor.class, () -> own)
			.run((context) -> assertThat(context.getBean(MemoryMonitor.class)).isSameAs(own));
	}

}
