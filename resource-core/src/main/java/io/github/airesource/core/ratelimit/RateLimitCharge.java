package io.github.airesource.core.ratelimit;

import org.springframework.util.Assert;

/**
 * What one call takes from one limit's buckets for one scope key: one request, its tokens
 * and its cost. A dimension the limit does not count is ignored.
 *
 * @param limit the limit
 * @param key the scope key, such as the user id ({@code global} for the global scope)
 * @param tokens the prompt plus the output reservation
 * @param costNanos those tokens at the model's prices, in nano-dollars
 */
public record RateLimitCharge(RateLimit limit, String key, long tokens, long costNanos) {

	public RateLimitCharge {
		Assert.notNull(limit, "limit must not be null");
		Assert.notNull(key, "key must not be null");
		Assert.isTrue(tokens >= 0 && costNanos >= 0, "charges must not be negative");
	}

	/**
	 * Return what the call takes from one dimension.
	 * @param dimension the dimension
	 * @return the amount: 1 request, its tokens, or its cost
	 */
	public long amount(RateDimension dimension) {
		return switch (dimension) {
			case REQUESTS -> 1;
			case TOKENS -> this.tokens;
			case COST -> this.costNanos;
		};
	}

}
