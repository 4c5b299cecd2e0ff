package io.github.airesource.core.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.springframework.lang.Nullable;

/**
 * Keeps the GCRA buckets of rate limits, one per limit, scope key and dimension.
 *
 * <p>
 * Contract, the same for every store:
 * <ul>
 * <li>A bucket of capacity {@code C} per period {@code P} is one theoretical arrival time
 * {@code tat}. Taking {@code n} at time {@code now} needs
 * {@code wait = max(tat, now) + n * P / C - P - now}; it fits at once when
 * {@code wait <= 0}. An idle bucket holds its whole capacity, so the burst equals the
 * limit.</li>
 * <li>{@link #acquire} checks every dimension of every charge and takes all or none,
 * atomically with respect to every other operation on any instance sharing the store. The
 * call waits for the longest of the waits; when that exceeds {@code maxWait} nothing is
 * taken and the answer says how long until the call would fit. A charge larger than a
 * limit's whole capacity can never fit.</li>
 * <li>{@link #adjust} adds or gives back capacity after the fact: an overrun is charged
 * (a bucket may go into debt, which later calls wait out), a refund never makes a bucket
 * fuller than full.</li>
 * <li>Time is the store's own clock: the injected clock in memory, the Redis server's
 * {@code TIME} in Redis.</li>
 * <li>Store failures (Redis down or slow) surface as
 * {@link io.github.airesource.core.redis.RedisUnavailableException}, at once; callers
 * apply the configured failure mode.</li>
 * </ul>
 */
public interface RateLimitStore {

	/**
	 * Take every charge, or none.
	 * @param charges one per limit that applies to the call
	 * @param maxWait the longest the caller may wait for capacity
	 * @return the decision
	 */
	RateLimitDecision acquire(List<RateLimitCharge> charges, Duration maxWait);

	/**
	 * Charge more, or give back, after the call: the difference between the actual use
	 * and what was taken, or everything a call took when it never ran.
	 * @param charges the charges the call took
	 * @param requests requests to add (negative to give back)
	 * @param tokens tokens to add (negative to give back)
	 * @param costNanos nano-dollars to add (negative to give back)
	 */
	void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos);

	/**
	 * Charge more, or give back, after a call this store admitted: the same as
	 * {@link #adjust(List, long, long, long)}, but a store may use the admission's
	 * {@link RateLimitDecision.Admitted#handle() handle} to find the buckets it charged
	 * without looking them up again.
	 * @param admitted what this store answered when the call took its charges
	 * @param charges the charges the call took
	 * @param requests requests to add (negative to give back)
	 * @param tokens tokens to add (negative to give back)
	 * @param costNanos nano-dollars to add (negative to give back)
	 */
	default void adjust(RateLimitDecision.Admitted admitted, List<RateLimitCharge> charges, long requests, long tokens,
			long costNanos) {
		adjust(charges, requests, tokens, costNanos);
	}

	/**
	 * Adjust as {@link #adjust(RateLimitDecision.Admitted, List, long, long, long)} does,
	 * without making the caller wait for a store that answers later (Redis): the call
	 * that ends need not wait for its correction. This default adjusts at once.
	 * @param admitted what this store answered when the call took its charges, or
	 * {@code null} when unknown
	 * @param charges the charges the call took
	 * @param requests requests to add (negative to give back)
	 * @param tokens tokens to add (negative to give back)
	 * @param costNanos nano-dollars to add (negative to give back)
	 * @return completed once the store has adjusted; exceptionally (with a
	 * {@link io.github.airesource.core.redis.RedisUnavailableException}, also wrapped in
	 * a {@link java.util.concurrent.CompletionException}) when the store failed after
	 * returning
	 * @throws io.github.airesource.core.redis.RedisUnavailableException when the store
	 * fails at once
	 */
	default CompletableFuture<Void> adjustWithoutWaiting(@Nullable RateLimitDecision.Admitted admitted,
			List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		if (admitted != null) {
			adjust(admitted, charges, requests, tokens, costNanos);
		}
		else {
			adjust(charges, requests, tokens, costNanos);
		}
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * Return the state of every dimension a limit counts for one key.
	 * @param limit the limit
	 * @param key the scope key
	 * @return one state per counted dimension
	 */
	List<RateLimitState> state(RateLimit limit, String key);

}
