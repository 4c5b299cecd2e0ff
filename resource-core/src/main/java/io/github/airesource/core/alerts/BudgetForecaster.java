package io.github.airesource.core.alerts;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.budget.BudgetStore.KeyUsage;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.ledger.UsageTotals;

/**
 * Forecasts when budget limits run out at the last hour's rate. The rate comes from the
 * usage ledger: the global line (or the lines of the limit's models) for a global limit,
 * the tenant's or user's line for a tenant or user limit. Conversation limits have no
 * ledger line and are not forecast. A tenant or user limit restricted to some models is
 * forecast from all of the scope's calls, so the forecast errs early.
 */
public final class BudgetForecaster {

	private final Budgets budgets;

	private final UsageLedger ledger;

	private final Clock clock;

	private final int topKeys;

	/**
	 * Create a forecaster.
	 * @param budgets the budgets
	 * @param ledger the usage ledger
	 * @param clock the clock
	 * @param topKeys how many of the most used keys per scoped limit to forecast
	 */
	public BudgetForecaster(Budgets budgets, UsageLedger ledger, Clock clock, int topKeys) {
		this.budgets = budgets;
		this.ledger = ledger;
		this.clock = clock;
		this.topKeys = topKeys;
	}

	/**
	 * Forecast every limit's keys, soonest exhaustion first.
	 * @return the forecasts
	 */
	public List<BudgetForecast> forecasts() {
		List<BudgetForecast> forecasts = new ArrayList<>();
		UsageReport report = null;
		for (BudgetLimit limit : this.budgets.limits()) {
			if (limit.scope() == ScopeType.GLOBAL) {
				if (report == null) {
					report = this.ledger.report(0);
				}
				UsageTotals hour = globalHour(limit, report);
				forecasts.add(forecast(limit, CallScope.GLOBAL_ID,
						this.budgets.store().usage(limit, CallScope.GLOBAL_ID), hour));
			}
			else if (limit.scope() != ScopeType.CONVERSATION) {
				for (KeyUsage key : this.budgets.store().top(limit, this.topKeys)) {
					Optional<UsageSummary> summary = this.ledger.scope(limit.scope(), key.key());
					forecasts.add(forecast(limit, key.key(), key.usage(),
							summary.map(UsageSummary::lastHour).orElse(UsageTotals.EMPTY)));
				}
			}
		}
		forecasts.sort((a, b) -> Double.compare(orMax(a.hoursToExhaustion()), orMax(b.hoursToExhaustion())));
		return forecasts;
	}

	private static double orMax(Double hours) {
		return (hours != null) ? hours : Double.MAX_VALUE;
	}

	private static UsageTotals globalHour(BudgetLimit limit, UsageReport report) {
		if (limit.models().isEmpty()) {
			return report.global().lastHour();
		}
		long tokens = 0;
		BigDecimal cost = BigDecimal.ZERO;
		for (Map.Entry<String, UsageSummary> model : report.models().entrySet()) {
			if (limit.appliesTo(model.getKey())) {
				UsageTotals hour = model.getValue().lastHour();
				tokens += hour.totalTokens();
				cost = cost.add(hour.cost());
			}
		}
		return new UsageTotals(0, 0, tokens, 0, 0, 0, cost, 0, 0, 0, BigDecimal.ZERO, UsageTotals.EMPTY.promptParts());
	}

	private BudgetForecast forecast(BudgetLimit limit, String key, BudgetUsage usage, UsageTotals hour) {
		BudgetAmount allowance = this.budgets.allowanceOf(limit, key);
		double used = usage.usedFraction(allowance);
		long tokensPerHour = hour.totalTokens();
		double costPerHour = hour.cost().doubleValue();
		Double hours = null;
		if (used >= 1) {
			hours = 0.0;
		}
		else {
			if (allowance.maxTokens() != null && tokensPerHour > 0) {
				long left = allowance.maxTokens() + usage.extraTokens() - usage.usedTokens() - usage.reservedTokens();
				hours = min(hours, Math.max(0, (double) left / tokensPerHour));
			}
			if (allowance.maxCost() != null && costPerHour > 0) {
				long left = allowance.maxCostNanos() + usage.extraCostNanos() - usage.usedCostNanos()
						- usage.reservedCostNanos();
				hours = min(hours, Math.max(0, BudgetMoney.toUsd(left).doubleValue() / costPerHour));
			}
		}
		double hoursToReset = Duration.between(this.clock.instant(), usage.resetsAt()).toMillis() / 3_600_000.0;
		boolean beforeReset = hours != null && hours < hoursToReset;
		String message;
		if (hours == null) {
			message = String.format(Locale.ROOT, "limit %s (%s) is %.0f%% used and spent nothing in the last hour",
					limit.name(), key, used * 100);
		}
		else {
			message = String.format(Locale.ROOT, "at the last hour's rate, limit %s (%s) is exhausted in %.1f hours%s",
					limit.name(), key, hours, beforeReset ? ", before it resets" : ", after it resets");
		}
		return new BudgetForecast(limit.name(), key, used, tokensPerHour, costPerHour, hours, usage.resetsAt(),
				beforeReset, message);
	}

	private static Double min(Double current, double candidate) {
		return (current == null) ? candidate : Math.min(current, candidate);
	}

}
