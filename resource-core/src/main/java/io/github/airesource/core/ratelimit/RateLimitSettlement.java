package io.github.airesource.core.ratelimit;

import java.util.function.Consumer;

import io.github.airesource.core.redis.RedisUnavailableException;

/**
 * Corrects the rate-limit charges of one call that a {@link RateLimitPreAdmission} took:
 * the correction is made together with the settlement of the call's budget, in one store
 * round trip, once both have reported.
 */
public interface RateLimitSettlement {

	/**
	 * Charge more, or give back, after the call: the difference between the actual use
	 * and what was taken. Called once per admission, also with nothing to correct, since
	 * the shared round trip waits for it; may wait for the store.
	 * @param requests requests to add (negative to give back)
	 * @param tokens tokens to add (negative to give back)
	 * @param costNanos nano-dollars to add (negative to give back)
	 * @param onFailure told, on whichever thread runs the correction, when the store
	 * fails it; the correction is then sent again with the budget's settlement, which the
	 * budget advisor retries, and the call stays charged what it took until then
	 */
	void adjust(long requests, long tokens, long costNanos, Consumer<RedisUnavailableException> onFailure);

	/**
	 * Give back everything the admission took, now, in a round trip of its own: the call
	 * will not go on with it. Nothing is adjusted afterwards.
	 * @throws RedisUnavailableException when the store fails; the call then stays charged
	 * what it took
	 */
	void release();

}
