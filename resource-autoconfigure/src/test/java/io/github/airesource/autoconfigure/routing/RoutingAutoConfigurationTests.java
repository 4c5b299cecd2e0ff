package io.github.airesource.autoconfigure.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.routing.RoutingAdvisor;
import io.github.airesource.core.routing.RoutingRule;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;

class RoutingAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	@Test
	void whenRoutingIsNotEnabledThenNoRoutingAdvisorJoinsTheChain() {
		this.runner.withPropertyValues("ai.resource.routing.rules[0].model=gpt-4o-mini")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RoutingAdvisor.class));
	}

	@Test
	void whenRoutingIsEnabledThenTheAdvisorJoinsTheChainBeforeUsageWithTheRulesInOrder() {
		this.runner
			.withPropertyValues("ai.resource.routing.enabled=true",
					"ai.resource.routing.rules[0].max-prompt-tokens=500", "ai.resource.routing.rules[0].tools=false",
					"ai.resource.routing.rules[0].model=gpt-4o-mini", "ai.resource.routing.rules[1].name=premium",
					"ai.resource.routing.rules[1].tier=premium", "ai.resource.routing.rules[1].model=gpt-4o")
			.run((context) -> {
				RoutingAdvisor routing = context.getBean(RoutingAdvisor.class);
				assertThat(routing.getOrder()).isEqualTo(10_300);
				assertThat(routing.rules()).extracting(RoutingRule::name, RoutingRule::model)
					.containsExactly(org.assertj.core.groups.Tuple.tuple("rules[0]", "gpt-4o-mini"),
							org.assertj.core.groups.Tuple.tuple("premium", "gpt-4o"));
				assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
						context.getBean(ScopeCaptureAdvisor.class), routing, context.getBean(UsageAdvisor.class));
			});
	}

	@Test
	void whenAUserDefinesARoutingAdvisorThenTheAutoConfiguredOneBacksOff() {
		RoutingAdvisor own = RoutingAdvisor.builder().build();
		this.runner.withPropertyValues("ai.resource.routing.enabled=true")
			.withBean(RoutingAdvisor.class, () -> own)
			.run((context) -> assertThat(context.getBean(RoutingAdvisor.class)).isSameAs(own));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"ai.resource.routing.rules[0].max-prompt-tokens=500 | ai.resource.routing.rules[0].model | such as gpt-4o-mini",
			"ai.resource.routing.rules[0].model=gpt-4o-mini,ai.resource.routing.rules[1].min-prompt-tokens=1000,ai.resource.routing.rules[1].max-prompt-tokens=500,ai.resource.routing.rules[1].model=gpt-4o | ai.resource.routing.rules[1].max-prompt-tokens | at least 1000",
			"ai.resource.routing.rules[0].min-prompt-tokens=-1,ai.resource.routing.rules[0].model=gpt-4o | ai.resource.routing.rules[0].min-prompt-tokens | 0 or more",
			"ai.resource.routing.context-windows.gpt-4o=0 | ai.resource.routing.context-windows[gpt-4o] | such as 128000" })
	void whenARuleIsInvalidThenStartupFailsNamingTheProperty(String settings, String property, String advice) {
		this.runner.withPropertyValues("ai.resource.routing.enabled=true")
			.withPropertyValues(settings.split(","))
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: " + property);
				assertThat(analysis.getAction()).contains(advice);
			});
	}

}
