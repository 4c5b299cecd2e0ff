package io.github.airesource.core.budget;

import java.math.BigDecimal;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * How much a budget allows per period: tokens, cost in USD, or both.
 *
 * @param maxTokens the most tokens (prompt plus completion), or {@code null} for no token
 * cap
 * @param maxCost the most USD, or {@code null} for no cost cap
 */
public record BudgetAmount(@Nullable Long maxTokens, @Nullable BigDecimal maxCost) {

	public BudgetAmount {
		Assert.isTrue(maxTokens == null || maxTokens >= 0, "maxTokens must not be negative");
		Assert.isTrue(maxCost == null || maxCost.signum() >= 0, "maxCost must not be negative");
	}

	/**
	 * Return this amount with the caps the other one sets replacing this one's, as a
	 * per-key override does: {@code {max-cost: 50}} over {@code {max-tokens: 1000,
	 * max-cost: 5}} gives {@code {max-tokens: 1000, max-cost: 50}}.
	 * @param override the override, may be {@code null}
	 * @return the combined amount
	 */
	public BudgetAmount overriddenBy(@Nullable BudgetAmount override) {
		if (override == null) {
			return this;
		}
		return new BudgetAmount((override.maxTokens() != null) ? override.maxTokens() : this.maxTokens,
				(override.maxCost() != null) ? override.maxCost() : this.maxCost);
	}

	/**
	 * Return the cost cap in nano-dollars, the unit stores count in.
	 * @return the cap, or {@code -1} when there is none
	 */
	public long maxCostNanos() {
		return (this.maxCost != null) ? BudgetMoney.toNanosCeiling(this.maxCost) : -1;
	}

	/**
	 * Return the token cap.
	 * @return the cap, or {@code -1} when there is none
	 */
	public long maxTokensOrNone() {
		return (this.maxTokens != null) ? this.maxTokens : -1;
	}

}
