package io.github.airesource.actuate.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.airesource.core.alerts.ActiveAlert;
import io.github.airesource.core.alerts.AlertTransition;
import io.github.airesource.core.alerts.BudgetForecast;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.lang.Nullable;

/**
 * What the {@code aialerts} endpoint reports. Limit names and scope keys only, never
 * prompt text.
 *
 * @param active the alerts firing now
 * @param transitions the last 100 transitions, oldest first
 * @param rules every rule with its configuration and last value
 * @param forecasts budget burn-rate forecasts, soonest exhaustion first
 * @param checkInterval time between evaluations
 * @param cooldown least time between two announcements of an alert
 * @param forecastError why the forecasts could not be made (a store failure), or
 * {@code null}
 */
public record AlertsDescriptor(List<ActiveDescriptor> active, List<TransitionDescriptor> transitions,
		List<RuleDescriptor> rules, List<ForecastDescriptor> forecasts, Duration checkInterval, Duration cooldown,
		@Nullable String forecastError) implements OperationResponseBody {

	/**
	 * An alert firing now.
	 *
	 * @param rule the rule
	 * @param value the last value
	 * @param threshold the threshold
	 * @param since when it fired
	 * @param lastNotified when it was last announced
	 * @param message the description
	 */
	public record ActiveDescriptor(String rule, double value, double threshold, Instant since, Instant lastNotified,
			String message) {

		static ActiveDescriptor of(ActiveAlert alert) {
			return new ActiveDescriptor(alert.rule(), alert.value(), alert.threshold(), alert.since(),
					alert.lastNotified(), alert.message());
		}

	}

	/**
	 * One transition.
	 *
	 * @param rule the rule
	 * @param status {@code FIRING}, {@code REPEATED} or {@code RESOLVED}
	 * @param value the value measured
	 * @param threshold the threshold
	 * @param at when
	 * @param message the description
	 */
	public record TransitionDescriptor(String rule, String status, double value, double threshold, Instant at,
			String message) {

		static TransitionDescriptor of(AlertTransition transition) {
			return new TransitionDescriptor(transition.rule(), transition.status().name(), transition.value(),
					transition.threshold(), transition.at(), transition.message());
		}

	}

	/**
	 * One rule.
	 *
	 * @param rule the rule's name, as under {@code ai.resource.alerts.thresholds}
	 * @param enabled whether it is evaluated (a non-zero threshold and its feature
	 * enabled)
	 * @param threshold the threshold, in the rule's unit
	 * @param value the last value measured, {@code null} before the first check or with
	 * nothing to measure
	 * @param unit the unit of value and threshold
	 * @param firing whether its alert fires now
	 */
	public record RuleDescriptor(String rule, boolean enabled, double threshold, @Nullable Double value, String unit,
			boolean firing) {
	}

	/**
	 * A budget key's forecast.
	 *
	 * @param limit the limit
	 * @param key the scope key
	 * @param usedFraction used share of the allowance
	 * @param tokensPerHour tokens spent in the last hour
	 * @param costPerHour USD spent in the last hour
	 * @param hoursToExhaustion hours to exhaustion at that rate, {@code null} without
	 * spending
	 * @param resetsAt when the window resets
	 * @param exhaustedBeforeReset whether exhaustion comes first
	 * @param message the forecast in words
	 */
	public record ForecastDescriptor(String limit, String key, double usedFraction, long tokensPerHour,
			double costPerHour, @Nullable Double hoursToExhaustion, Instant resetsAt, boolean exhaustedBeforeReset,
			String message) {

		static ForecastDescriptor of(BudgetForecast forecast) {
			return new ForecastDescriptor(forecast.limit(), forecast.key(), forecast.usedFraction(),
					forecast.tokensPerHour(), forecast.costPerHour(), forecast.hoursToExhaustion(), forecast.resetsAt(),
					forecast.exhaustedBeforeReset(), forecast.message());
		}

	}

}
