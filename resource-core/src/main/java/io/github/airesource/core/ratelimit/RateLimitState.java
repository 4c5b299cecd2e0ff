package io.github.airesource.core.ratelimit;

import java.time.Duration;

/**
 * The state of one dimension of one limit for one scope key: what could be spent at once
 * now, and when the bucket is full again. Suits the {@code RateLimit} and
 * {@code RateLimit-Policy} HTTP headers.
 *
 * @param limit the limit's name
 * @param key the scope key
 * @param dimension what is counted
 * @param capacity the limit per period (nano-dollars for cost)
 * @param remaining what could be spent at once now, 0 to {@code capacity}
 * @param resetAfter how long until the bucket is full again; zero when it is
 * @param period the limit's period
 */
public record RateLimitState(String limit, String key, RateDimension dimension, long capacity, long remaining,
		Duration resetAfter, Duration period) {

	/**
	 * Return the fraction of the capacity that is left.
	 * @return 0 to 1
	 */
	public double remainingFraction() {
		return (double) this.remaining / this.capacity;
	}

}
