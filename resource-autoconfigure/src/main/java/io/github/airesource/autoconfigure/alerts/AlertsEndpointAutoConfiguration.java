package io.github.airesource.autoconfigure.alerts;

import java.util.List;

import io.github.airesource.actuate.alerts.AlertsEndpoint;
import io.github.airesource.actuate.alerts.AlertsEndpoint.RuleSetting;
import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.alerts.AlertRules;
import io.github.airesource.core.alerts.BudgetForecaster;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code aialerts} Actuator endpoint, when Actuator is present, alerts are enabled
 * and the endpoint is available (exposed and not disabled).
 */
@AutoConfiguration(after = AlertsAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnAvailableEndpoint(AlertsEndpoint.class)
@ConditionalOnBean(AlertEvaluator.class)
public class AlertsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AlertsEndpoint alertsEndpoint(AlertEvaluator evaluator, ObjectProvider<BudgetForecaster> forecaster,
			AlertsProperties properties) {
		AlertsProperties.Thresholds thresholds = properties.getThresholds();
		List<RuleSetting> settings = List.of(
				new RuleSetting(AlertRules.HEAP_USAGE, thresholds.getHeapUsage(), "fraction"),
				new RuleSetting(AlertRules.TOKENS_PER_MINUTE, thresholds.getTokensPerMinute(), "tokens"),
				new RuleSetting(AlertRules.COST_PER_HOUR, thresholds.getCostPerHour(), "USD"),
				new RuleSetting(AlertRules.ERROR_RATE, thresholds.getErrorRate(), "fraction"),
				new RuleSetting(AlertRules.SLOW_CALLS, thresholds.getSlowCalls().toMillis(), "ms"),
				new RuleSetting(AlertRules.BUDGET_USED, thresholds.getBudgetUsed(), "fraction"),
				new RuleSetting(AlertRules.BUDGET_EXHAUSTION_HOURS, thresholds.getBudgetExhaustionHours(), "hours"),
				new RuleSetting(AlertRules.CACHE_HIT_RATIO, thresholds.getCacheHitRatio(), "fraction"),
				new RuleSetting(AlertRules.BULKHEAD_QUEUE, thresholds.getBulkheadQueue(), "fraction"),
				new RuleSetting(AlertRules.PROVIDER_HOLDS, thresholds.getProviderHolds(), "holds"));
		return new AlertsEndpoint(evaluator, forecaster.getIfUnique(), settings, properties.getCheckInterval());
	}

}
