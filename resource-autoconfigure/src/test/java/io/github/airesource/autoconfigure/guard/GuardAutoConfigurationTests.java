package io.github.airesource.autoconfigure.guard;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.guard.PromptGuardAdvisor;
import io.github.airesource.core.guard.TimeoutAdvisor;
import io.github.airesource.core.guard.ToolIterationGuard;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;

class GuardAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withConfiguration(AutoConfigurations.of(GuardAutoConfiguration.class));

	@Test
	void whenNoGuardIsSetThenNoGuardBeanJoinsTheChain() {
		this.runner.withBean(ToolCallingManager.class, () -> ToolCallingManager.builder().build()).run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(GuardProperties.class)
				.doesNotHaveBean(PromptGuardAdvisor.class)
				.doesNotHaveBean(TimeoutAdvisor.class)
				.doesNotHaveBean(ToolIterationGuardPostProcessor.class);
			assertThat(context.getBean(ToolCallingManager.class)).isNotInstanceOf(ToolIterationGuard.class);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "max-prompt-tokens=8000", "max-output-tokens=2048", "max-tool-iterations=5" })
	void whenAPromptGuardIsSetThenThePromptGuardJoinsTheChainOutsideTheUsageAdvisor(String property) {
		this.runner.withPropertyValues("ai.resource.guard." + property).run((context) -> {
			assertThat(context).hasSingleBean(PromptGuardAdvisor.class).doesNotHaveBean(TimeoutAdvisor.class);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), context.getBean(PromptGuardAdvisor.class),
					context.getBean(UsageAdvisor.class));
			assertThat(context.getBean(PromptGuardAdvisor.class).getOrder()).isEqualTo(10_350);
		});
	}

	@Test
	void whenTheGuardsAreSetThenTheAdvisorTakesTheirValues() {
		this.runner
			.withPropertyValues("ai.resource.guard.max-prompt-tokens=8000", "ai.resource.guard.max-output-tokens=2048",
					"ai.resource.guard.max-tool-iterations=5", "ai.resource.guard.order=10360")
			.run((context) -> {
				PromptGuardAdvisor guard = context.getBean(PromptGuardAdvisor.class);
				assertThat(guard.maxPromptTokens()).isEqualTo(8000);
				assertThat(guard.maxOutputTokens()).isEqualTo(2048);
				assertThat(guard.maxToolIterations()).isEqualTo(5);
				assertThat(guard.getOrder()).isEqualTo(10_360);
			});
	}

	@Test
	void whenATimeoutIsSetThenTheTimeoutAdvisorJoinsTheChainInsideTheUsageAdvisor() {
		this.runner.withPropertyValues("ai.resource.guard.timeout=30s").run((context) -> {
			assertThat(context).hasSingleBean(TimeoutAdvisor.class).doesNotHaveBean(PromptGuardAdvisor.class);
			TimeoutAdvisor timeout = context.getBean(TimeoutAdvisor.class);
			assertThat(timeout.timeout()).isEqualTo(Duration.ofSeconds(30));
			assertThat(timeout.getOrder()).isEqualTo(10_850);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), context.getBean(UsageAdvisor.class), timeout);
		});
	}

	@Test
	void whenToolIterationsAreLimitedThenTheToolCallingManagerIsGuarded() {
		ToolCallingManager manager = ToolCallingManager.builder().build();
		this.runner.withPropertyValues("ai.resource.guard.max-tool-iterations=4")
			.withBean(ToolCallingManager.class, () -> manager)
			.run((context) -> {
				assertThat(context).hasSingleBean(ToolIterationGuardPostProcessor.class);
				assertThat(context.getBean(ToolCallingManager.class)).isInstanceOfSatisfying(ToolIterationGuard.class,
						(guard) -> {
							assertThat(guard.delegate()).isSameAs(manager);
							assertThat(guard.maxIterations()).isEqualTo(4);
						});
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "max-prompt-tokens", "max-output-tokens", "max-tool-iterations" })
	void whenALimitIsNegativeThenStartupFailsNamingIt(String name) {
		this.runner.withPropertyValues("ai.resource.guard." + name + "=-1").run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: ai.resource.guard." + name);
			assertThat(analysis.getAction()).contains("ai.resource.guard." + name).contains("0 for no limit");
		});
	}

	@Test
	void whenTheTimeoutIsNegativeThenStartupFailsNamingIt() {
		this.runner.withPropertyValues("ai.resource.guard.timeout=-5s").run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: ai.resource.guard.timeout");
			assertThat(analysis.getAction()).contains("0s for no timeout");
		});
	}

	@Test
	void whenTheUserDefinesTheAdvisorsThenOursBackOff() {
		PromptGuardAdvisor guard = PromptGuardAdvisor.builder().maxPromptTokens(1).build();
		TimeoutAdvisor timeout = TimeoutAdvisor.builder(Duration.ofSeconds(1)).build();
		ToolIterationGuardPostProcessor postProcessor = new ToolIterationGuardPostProcessor(9);
		this.runner
			.withPropertyValues("ai.resource.guard.max-prompt-tokens=8000", "ai.resource.guard.timeout=30s",
					"ai.resource.guard.max-tool-iterations=5")
			.withBean(PromptGuardAdvisor.class, () -> guard)
			.withBean(TimeoutAdvisor.class, () -> timeout)
			.withBean(ToolIterationGuardPostProcessor.class, () -> postProcessor)
			.run((context) -> {
				assertThat(context).getBean(PromptGuardAdvisor.class).isSameAs(guard);
				assertThat(context).getBean(TimeoutAdvisor.class).isSameAs(timeout);
				assertThat(context).getBean(ToolIterationGuardPostProcessor.class).isSameAs(postProcessor);
			});
	}

	@Test
	void whenTheMasterSwitchIsOffThenNoGuard() {
		this.runner
			.withPropertyValues("ai.resource.enabled=false", "ai.resource.guard.max-prompt-tokens=8000",
					"ai.resource.guard.timeout=30s", "ai.resource.guard.max-tool-iterations=5")
			.run((context) -> assertThat(context).doesNotHaveBean(PromptGuardAdvisor.class)
				.doesNotHaveBean(TimeoutAdvisor.class)
				.doesNotHaveBean(ToolIterationGuardPostProcessor.class));
	}

}
