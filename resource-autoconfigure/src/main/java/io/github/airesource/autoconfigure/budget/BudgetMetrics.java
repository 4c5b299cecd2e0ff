package io.github.airesource.autoconfigure.budget;

import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code ai.resource.budget.used} (tag {@code limit}): the used or reserved fraction of
 * each global-scope budget limit, read from the store when the registry asks; {@code NaN}
 * when the store cannot be read. Keys of other scopes are users and tenants, which meters
 * are never tagged by: see the {@code aibudgets} endpoint for them.
 */
final class BudgetMetrics {

	private BudgetMetrics() {
	}

	static void bind(Budgets budgets, MeterRegistry registry) {
		for (BudgetLimit limit : budgets.limits()) {
			if (limit.scope() == ScopeType.GLOBAL) {
				Gauge.builder("ai.resource.budget.used", budgets, (all) -> usedFraction(all, limit))
					.description("Used or reserved fraction of a global budget in its current window")
					.tag("limit", limit.name())
					.register(registry);
			}
		}
	}

	private static double usedFraction(Budgets budgets, BudgetLimit limit) {
		try {
			return budgets.store()
				.usage(limit, CallScope.GLOBAL_ID)
				.usedFraction(budgets.allowanceOf(limit, CallScope.GLOBAL_ID));
		}
		catch (RedisUnavailableException ex) {
			return Double.NaN;
		}
	}

}
