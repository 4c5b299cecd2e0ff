package io.github.airesource.actuate.budget;

import java.math.BigDecimal;
import java.time.Instant;

import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.budget.BudgetUsage;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.lang.Nullable;

/**
 * One limit's state for one key in the current window, as the {@code aibudgets} endpoint
 * shows it. Amounts in USD; {@code null} caps are not capped.
 *
 * @param limit the limit's name
 * @param key the scope key
 * @param maxTokens the key's token allowance, or {@code null}
 * @param maxCost the key's cost allowance, or {@code null}
 * @param usedTokens tokens of settled calls
 * @param usedCost cost of settled calls
 * @param reservedTokens tokens held by calls in flight
 * @param reservedCost cost held by calls in flight
 * @param extraTokens tokens granted for this window
 * @param extraCost cost granted for this window
 * @param remainingTokens tokens still available, or {@code null} when not capped
 * @param remainingCost USD still available, or {@code null} when not capped
 * @param usedFraction used or reserved share of the allowance
 * @param windowStart when the window began
 * @param resetsAt when the next window begins
 * @param error why the state could not be read (the store failed), else {@code null}
 */
public record BudgetKeyDescriptor(String limit, String key, @Nullable Long maxTokens, @Nullable BigDecimal maxCost,
		long usedTokens, BigDecimal usedCost, long reservedTokens, BigDecimal reservedCost, long extraTokens,
		BigDecimal extraCost, @Nullable Long remainingTokens, @Nullable BigDecimal remainingCost, double usedFraction,
		@Nullable Instant windowStart, @Nullable Instant resetsAt,
		@Nullable String error) implements OperationResponseBody {

	static BudgetKeyDescriptor of(String limit, String key, BudgetAmount allowance, BudgetUsage usage) {
		Long remainingTokens = (allowance.maxTokens() != null)
				? Math.max(0, allowance.maxTokens() + usage.extraTokens() - usage.usedTokens() - usage.reservedTokens())
				: null;
		BigDecimal remainingCost = (allowance.maxCost() != null) ? BudgetMoney.toUsd(Math.max(0,
				allowance.maxCostNanos() + usage.extraCostNanos() - usage.usedCostNanos() - usage.reservedCostNanos()))
				: null;
		return new BudgetKeyDescriptor(limit, key, allowance.maxTokens(), allowance.maxCost(), usage.usedTokens(),
				BudgetMoney.toUsd(usage.usedCostNanos()), usage.reservedTokens(),
				BudgetMoney.toUsd(usage.reservedCostNanos()), usage.extraTokens(),
				BudgetMoney.toUsd(usage.extraCostNanos()), remainingTokens, remainingCost,
				usage.usedFraction(allowance), usage.windowStart(), usage.resetsAt(), null);
	}

	static BudgetKeyDescriptor failed(String limit, String key, BudgetAmount allowance, String error) {
		return new BudgetKeyDescriptor(limit, key, allowance.maxTokens(), allowance.maxCost(), 0, BigDecimal.ZERO, 0,
				BigDecimal.ZERO, 0, BigDecimal.ZERO, null, null, 0, null, null, error);
	}

}
