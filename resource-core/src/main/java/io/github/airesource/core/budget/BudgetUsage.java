package io.github.airesource.core.budget;

import java.time.Instant;

/**
 * The state of one limit for one key in its current window. Tokens count prompt plus
 * completion; money is in nano-dollars ({@link BudgetMoney}).
 *
 * @param usedTokens tokens of settled calls this window
 * @param usedCostNanos cost of settled calls this window
 * @param reservedTokens tokens held by calls in flight (unexpired reservations)
 * @param reservedCostNanos cost held by calls in flight
 * @param extraTokens tokens granted on top of the allowance for this window
 * @param extraCostNanos cost granted on top of the allowance for this window
 * @param windowStart when the current window began
 * @param resetsAt when the next window begins
 */
public record BudgetUsage(long usedTokens, long usedCostNanos, long reservedTokens, long reservedCostNanos,
		long extraTokens, long extraCostNanos, Instant windowStart, Instant resetsAt) {

	/**
	 * Return the usage of a key that used nothing in the window.
	 * @param windowStart the window's start
	 * @param resetsAt the window's end
	 * @return the empty usage
	 */
	public static BudgetUsage none(Instant windowStart, Instant resetsAt) {
		return new BudgetUsage(0, 0, 0, 0, 0, 0, windowStart, resetsAt);
	}

	/**
	 * Return the fraction of an allowance that is used or reserved, the larger of tokens
	 * and cost, counting grants as part of the allowance.
	 * @param allowance the allowance
	 * @return the fraction, 0 when the allowance caps nothing; may exceed 1 after an
	 * overrun
	 */
	public double usedFraction(BudgetAmount allowance) {
		double fraction = 0;
		if (allowance.maxTokens() != null) {
			fraction = Math.max(fraction,
					fraction(this.usedTokens + this.reservedTokens, allowance.maxTokens() + this.extraTokens));
		}
		if (allowance.maxCost() != null) {
			fraction = Math.max(fraction, fraction(this.usedCostNanos + this.reservedCostNanos,
					allowance.maxCostNanos() + this.extraCostNanos));
		}
		return fraction;
	}

	private static double fraction(long used, long max) {
		if (max <= 0) {
			return (used > 0) ? Double.POSITIVE_INFINITY : 1;
		}
		return (double) used / max;
	}

}
