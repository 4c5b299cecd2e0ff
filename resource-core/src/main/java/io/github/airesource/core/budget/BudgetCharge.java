package io.github.airesource.core.budget;

import org.springframework.util.Assert;

/**
 * What one call reserves against one limit for one scope key.
 *
 * @param limit the limit
 * @param key the scope key, such as the user id ({@code global} for the global scope)
 * @param allowance the key's allowance per window: the limit's, a YAML override or what a
 * {@link BudgetLimitResolver} returned
 * @param tokens tokens to reserve: the prompt plus the most the model may answer
 * @param costNanos nano-dollars to reserve: those tokens at the model's prices
 */
public record BudgetCharge(BudgetLimit limit, String key, BudgetAmount allowance, long tokens, long costNanos) {

	public BudgetCharge {
		Assert.notNull(limit, "limit must not be null");
		Assert.notNull(key, "key must not be null");
		Assert.notNull(allowance, "allowance must not be null");
		Assert.isTrue(tokens >= 0 && costNanos >= 0, "reservations must not be negative");
	}

}
