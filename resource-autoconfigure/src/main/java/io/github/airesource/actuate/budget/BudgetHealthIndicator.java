package io.github.airesource.actuate.budget;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The {@code aibudget} health contributor: {@value #BUDGET_EXHAUSTED} when a global
 * budget limit is used up, so that dashboards and alerts see it, never {@code DOWN}: an
 * exhausted budget is a business state, not a broken instance, and must not take it out
 * of a load balancer. {@code UNKNOWN} when the store cannot be read. Details: each global
 * limit's used fraction.
 */
public class BudgetHealthIndicator extends AbstractHealthIndicator {

	/** The status code of an exhausted global budget. */
	public static final String BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED";

	private final Budgets budgets;

	public BudgetHealthIndicator(Budgets budgets) {
		super("Budget health check failed");
		this.budgets = budgets;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Map<String, Object> limits = new LinkedHashMap<>();
		boolean exhausted = false;
		try {
			for (BudgetLimit limit : this.budgets.limits()) {
				if (limit.scope() != ScopeType.GLOBAL) {
					continue;
				}
				BudgetAmount allowance = this.budgets.allowanceOf(limit, CallScope.GLOBAL_ID);
				BudgetUsage usage = this.budgets.store().usage(limit, CallScope.GLOBAL_ID);
				double used = usage.usedFraction(allowance);
				exhausted |= used >= 1;
				limits.put(limit.name(), Map.of("usedFraction", used, "resetsAt", usage.resetsAt().toString()));
			}
		}
		catch (RedisUnavailableException ex) {
			builder.unknown().withDetail("error", String.valueOf(ex.getMessage()));
			return;
		}
		builder.status(exhausted ? new Status(BUDGET_EXHAUSTED, "A global budget is used up") : Status.UP)
			.withDetail("limits", limits);
	}

}
