package io.github.airesource.actuate.alerts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.alerts.AlertEvaluator.RuleValue;
import io.github.airesource.core.alerts.AlertRule;
import io.github.airesource.core.alerts.BudgetForecaster;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.lang.Nullable;

/**
 * The {@code aialerts} endpoint: the alerts firing now, the last 100 transitions, every
 * rule with its threshold and last value (disabled rules too, so the page shows what
 * could be switched on) and the budgets' burn-rate forecasts.
 */
@Endpoint(id = "aialerts")
public class AlertsEndpoint {

	private final AlertEvaluator evaluator;

	@Nullable
	private final BudgetForecaster forecaster;

	private final List<RuleSetting> settings;

	private final Duration checkInterval;

	/**
	 * Create the endpoint.
	 * @param evaluator the evaluator
	 * @param forecaster the budget forecaster, or {@code null} without budgets
	 * @param settings every known rule with its configured threshold, in display order
	 * @param checkInterval time between evaluations
	 */
	public AlertsEndpoint(AlertEvaluator evaluator, @Nullable BudgetForecaster forecaster, List<RuleSetting> settings,
			Duration checkInterval) {
		this.evaluator = evaluator;
		this.forecaster = forecaster;
		this.settings = List.copyOf(settings);
		this.checkInterval = checkInterval;
	}

	/**
	 * Report the alerts.
	 * @return the report
	 */
	@ReadOperation
	public AlertsDescriptor alerts() {
		Map<String, RuleValue> values = this.evaluator.values();
		Set<String> enabled = this.evaluator.rules().stream().map(AlertRule::name).collect(Collectors.toSet());
		Set<String> firing = this.evaluator.active().stream().map((alert) -> alert.rule()).collect(Collectors.toSet());
		List<AlertsDescriptor.RuleDescriptor> rules = new ArrayList<>();
		for (RuleSetting setting : this.settings) {
			RuleValue value = values.get(setting.rule());
			rules.add(new AlertsDescriptor.RuleDescriptor(setting.rule(), enabled.contains(setting.rule()),
					setting.threshold(), (value != null) ? value.value() : null, setting.unit(),
					firing.contains(setting.rule())));
		}
		for (AlertRule rule : this.evaluator.rules()) {
			if (this.settings.stream().noneMatch((setting) -> setting.rule().equals(rule.name()))) {
				RuleValue value = values.get(rule.name());
				rules.add(new AlertsDescriptor.RuleDescriptor(rule.name(), true, rule.threshold(),
						(value != null) ? value.value() : null, "", firing.contains(rule.name())));
			}
		}
		List<AlertsDescriptor.ForecastDescriptor> forecasts = new ArrayList<>();
		String forecastError = null;
		if (this.forecaster != null) {
			try {
				this.forecaster.forecasts()
					.forEach((forecast) -> forecasts.add(AlertsDescriptor.ForecastDescriptor.of(forecast)));
			}
			catch (RuntimeException ex) {
				forecastError = ex.getMessage();
			}
		}
		return new AlertsDescriptor(
				this.evaluator.active().stream().map(AlertsDescriptor.ActiveDescriptor::of).toList(),
				this.evaluator.transitions().stream().map(AlertsDescriptor.TransitionDescriptor::of).toList(), rules,
				forecasts, this.checkInterval, this.evaluator.cooldown(), forecastError);
	}

	/**
	 * A rule as configured.
	 *
	 * @param rule the rule's name
	 * @param threshold the configured threshold, 0 when disabled
	 * @param unit the unit of the threshold
	 */
	public record RuleSetting(String rule, double threshold, String unit) {
	}

}
