package io.github.airesource.core.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Budgets count money in whole nano-dollars (10^-9 USD), so that sums are exact integers
 * in memory and in Redis (a Lua number holds integers exactly up to 2^53 nano-dollars,
 * about 9 million USD).
 */
public final class BudgetMoney {

	private BudgetMoney() {
	}

	/**
	 * Convert USD to nano-dollars, rounding up: a reservation or charge never counts less
	 * than it costs.
	 * @param usd the amount in USD
	 * @return nano-dollars
	 */
	public static long toNanosCeiling(BigDecimal usd) {
		return usd.movePointRight(9).setScale(0, RoundingMode.CEILING).longValueExact();
	}

	/**
	 * Convert nano-dollars to USD.
	 * @param nanos the amount in nano-dollars
	 * @return USD
	 */
	public static BigDecimal toUsd(long nanos) {
		return BigDecimal.valueOf(nanos, 9);
	}

}
