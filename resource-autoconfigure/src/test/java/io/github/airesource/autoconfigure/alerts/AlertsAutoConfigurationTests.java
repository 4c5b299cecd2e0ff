package io.github.airesource.autoconfigure.alerts;

import io.github.airesource.actuate.alerts.AlertsDescriptor;
import io.github.airesource.actuate.alerts.AlertsEndpoint;
import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.alerts.AlertRule;
import io.github.airesource.core.alerts.BudgetForecaster;
import io.github.airesource.core.alerts.LatencyWindow;
import io.github.airesource.core.alerts.SpendReporter;
import io.github.airesource.core.alerts.WebhookNotifier;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts auto-configuration: off by default, rules only for enabled features, the
 * endpoint when exposed, invalid properties named at startup.
 */
class AlertsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=aialerts");

	@Test
	void whenAlertsAreNotEnabledThenNothingIsEvaluatedAndNoEndpointExists() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(AlertEvaluator.class);
			assertThat(context).doesNotHaveBean(AlertsScheduler.class);
			assertThat(context).doesNotHaveBean(AlertsEndpoint.class);
		});
	}

	@Test
	void whenEnabledThenTheDefaultRulesRunOnTheScheduleAndTheEndpointListsEveryRule() {
		this.runner.withPropertyValues("ai.resource.alerts.enabled=true").run((context) -> {
			AlertEvaluator evaluator = context.getBean(AlertEvaluator.class);
			// Budgets are off: budget-used is skipped; the others default to 0.
			assertThat(evaluator.rules()).extracting(AlertRule::name).containsExactly("heap-usage", "error-rate");
			assertThat(context.getBean(AlertsScheduler.class).isRunning()).isTrue();
			assertThat(context).doesNotHaveBean(WebhookNotifier.class);
			assertThat(context).doesNotHaveBean(LatencyWindow.class);
			assertThat(context).doesNotHaveBean(SpendReporter.class);
			evaluator.evaluate();
			AlertsDescriptor alerts = context.getBean(AlertsEndpoint.class).alerts();
			assertThat(alerts.rules()).extracting(AlertsDescriptor.RuleDescriptor::rule)
				.containsExactly("heap-usage", "tokens-per-minute", "cost-per-hour", "error-rate", "slow-calls",
						"budget-used", "budget-exhaustion-hours", "cache-hit-ratio", "bulkhead-queue",
						"provider-holds");
			assertThat(alerts.rules().get(0)).satisfies((heap) -> {
				assertThat(heap.enabled()).isTrue();
				assertThat(heap.threshold()).isEqualTo(0.85);
				assertThat(heap.value()).isNotNull().isBetween(0.0, 1.0);
			});
			assertThat(alerts.rules().get(5).enabled()).isFalse();
			assertThat(alerts.forecasts()).isEmpty();
		});
	}

	@Test
	void whenTheSchedulerStopsWithTheContextThenItIsNoLongerRunning() {
		this.runner.withPropertyValues("ai.resource.alerts.enabled=true").run((context) -> {
			AlertsScheduler scheduler = context.getBean(AlertsScheduler.class);
			context.close();
			assertThat(scheduler.isRunning()).isFalse();
		});
	}

	@Test
	void whenEveryFeatureIsOnThenEveryRuleIsEvaluated() {
		this.runner.withPropertyValues("ai.resource.alerts.enabled=true",
				"ai.resource.alerts.thresholds.tokens-per-minute=1000", "ai.resource.alerts.thresholds.cost-per-hour=5",
				"ai.resource.alerts.thresholds.slow-calls=10s",
				"ai.resource.alerts.thresholds.budget-exhaustion-hours=6",
				"ai.resource.alerts.thresholds.cache-hit-ratio=0.2", "ai.resource.alerts.thresholds.bulkhead-queue=0.8",
				"ai.resource.alerts.thresholds.provider-holds=1", "ai.resource.budget.enabled=true",
				"ai.resource.budget.limits.daily.scope=global", "ai.resource.budget.limits.daily.max-tokens=1000",
				"ai.resource.concurrency.enabled=true", "ai.resource.rate-limit.enabled=true",
				"ai.resource.rate-limit.limits.rpm.scope=global", "ai.resource.rate-limit.limits.rpm.requests=60",
				"ai.resource.rate-limit.limits.rpm.period=1m", "ai.resource.cache.response.enabled=true",
				"ai.resource.alerts.webhook.url=http://127.0.0.1:9/hook",
				"ai.resource.alerts.spend-report.enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(AlertEvaluator.class).rules()).extracting(AlertRule::name)
					.containsExactly("heap-usage", "tokens-per-minute", "cost-per-hour", "error-rate", "slow-calls",
							"budget-used", "budget-exhaustion-hours", "cache-hit-ratio", "bulkhead-queue",
							"provider-holds");
				assertThat(context).hasSingleBean(WebhookNotifier.class);
				assertThat(context).hasSingleBean(BudgetForecaster.class);
				assertThat(context).hasSingleBean(SpendReporter.class);
				AlertsDescriptor alerts = context.getBean(AlertsEndpoint.class).alerts();
				assertThat(alerts.forecasts()).singleElement().satisfies((forecast) -> {
					assertThat(forecast.limit()).isEqualTo("daily");
					assertThat(forecast.hoursToExhaustion()).isNull();
				});
			});
	}

	@Test
	void whenTheEndpointIsNotExposedThenItIsNotCreated() {
		new ApplicationContextRunner().withConfiguration(ResourceAutoConfigurations.resource())
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class))
			.withPropertyValues("ai.resource.alerts.enabled=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(AlertEvaluator.class);
				assertThat(context).doesNotHaveBean(AlertsEndpoint.class);
			});
	}

	@Test
	void whenAFractionIsOutOfRangeThenStartupFailsNamingTheProperty() {
		assertInvalid("ai.resource.alerts.thresholds.heap-usage=1.5", "ai.resource.alerts.thresholds.heap-usage");
		assertInvalid("ai.resource.alerts.thresholds.error-rate=-0.1", "ai.resource.alerts.thresholds.error-rate");
		assertInvalid("ai.resource.alerts.thresholds.budget-used=2", "ai.resource.alerts.thresholds.budget-used");
	}

	@Test
	void whenDurationsOrCountsAreInvalidThenStartupFailsNamingTheProperty() {
		assertInvalid("ai.resource.alerts.check-interval=0s", "ai.resource.alerts.check-interval");
		assertInvalid("ai.resource.alerts.cooldown=-1s", "ai.resource.alerts.cooldown");
		assertInvalid("ai.resource.alerts.thresholds.tokens-per-minute=-5",
				"ai.resource.alerts.thresholds.tokens-per-minute");
		assertInvalid("ai.resource.alerts.thresholds.slow-calls=-1s", "ai.resource.alerts.thresholds.slow-calls");
		assertInvalid("ai.resource.alerts.webhook.url=ftp://example.com/hook", "ai.resource.alerts.webhook.url");
		assertInvalid("ai.resource.alerts.webhook.retries=50", "ai.resource.alerts.webhook.retries");
	}

	private void assertInvalid(String property, String name) {
		this.runner.withPropertyValues("ai.resource.alerts.enabled=true", property).run((context) -> {
			assertThat(context).hasFailed();
			Throwable cause = context.getStartupFailure();
			while (cause != null && !(cause instanceof InvalidResourcePropertyException)) {
				cause = cause.getCause();
			}
			assertThat(cause).as("an InvalidResourcePropertyException for %s", property).isNotNull();
			assertThat(((InvalidResourcePropertyException) cause).getProperty()).isEqualTo(name);
		});
	}

}
