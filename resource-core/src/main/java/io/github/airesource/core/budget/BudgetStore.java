package io.github.airesource.core.budget;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps budget counters: per limit and scope key, the current window's settled use, the
 * reservations of calls in flight, and grants.
 *
 * <p>
 * Contract, the same for every store:
 * <ul>
 * <li>Windows are fixed, aligned to the UTC epoch: a window starts at
 * {@code floor(now / period) * period}. When a key's window has passed, its use and
 * grants start again from zero; reservations of calls still in flight are kept.</li>
 * <li>{@link #reserve} checks every charge and reserves all of them or none, atomically
 * with respect to every other reserve, settle, reset and grant on any instance sharing
 * the store. A charge fits when, for each cap its allowance sets,
 * {@code used + reserved + asked <=
 * cap + granted}. Charges whose limit caps nothing in a dimension still record it.</li>
 * <li>A reservation is a lease: when it is not settled within {@code leaseTtl} it is
 * released by itself, so a crashed instance cannot hold budget forever.</li>
 * <li>{@link #settle} releases a reservation and charges what the call actually used; it
 * is idempotent, a second settle of the same reservation changes nothing. A settle after
 * the lease expired charges the actual use once, for at least an hour after the lease
 * ended (what the lease held has flowed back already and is not released again); later it
 * changes nothing. So a settle whose outcome is unknown (it failed or timed out) can be
 * sent again.</li>
 * <li>Store failures (Redis down or slow) surface as
 * {@link io.github.airesource.core.redis.RedisUnavailableException}, at once; callers
 * apply the configured failure mode.</li>
 * </ul>
 */
public interface BudgetStore {

	/**
	 * Reserve every charge, or none.
	 * @param reservationId a unique id of the call's reservation
	 * @param charges one per limit that applies to the call
	 * @param leaseTtl how long the reservation holds without settlement
	 * @param checkFallbackAt whether to answer {@link BudgetAdmission.Degrade} when a
	 * charge's limit has a {@code fallbackAt} fraction above zero and its key has used or
	 * reserved at least that fraction of its allowance; checked before any charge is
	 * refused or reserved
	 * @return whether the call was admitted
	 */
	BudgetAdmission reserve(String reservationId, List<BudgetCharge> charges, Duration leaseTtl,
			boolean checkFallbackAt);

	/**
	 * Release a reservation and charge the actual use to each charge's key, in the
	 * current window. Idempotent.
	 * @param reservationId the reservation
	 * @param charges the charges that were reserved
	 * @param actualTokens tokens the call used, prompt plus completion
	 * @param actualCostNanos what the call cost
	 * @param leaseTtl the lease the reservation was made with, so that a second settle
	 * within it is recognized
	 */
	void settle(String reservationId, List<BudgetCharge> charges, long actualTokens, long actualCostNanos,
			Duration leaseTtl);

	/**
	 * Settle as {@link #settle} does, without making the caller wait for a store that
	 * answers later (Redis): the call that ends need not wait for its settlement. This
	 * default settles at once.
	 * @param reservationId the reservation
	 * @param charges the charges that were reserved
	 * @param actualTokens tokens the call used, prompt plus completion
	 * @param actualCostNanos what the call cost
	 * @param leaseTtl the lease the reservation was made with
	 * @return completed once the store has settled; exceptionally (with a
	 * {@link io.github.airesource.core.redis.RedisUnavailableException}, also wrapped in
	 * a {@link java.util.concurrent.CompletionException}) when the store failed after
	 * returning
	 * @throws io.github.airesource.core.redis.RedisUnavailableException when the store
	 * fails at once
	 */
	default CompletableFuture<Void> settleWithoutWaiting(String reservationId, List<BudgetCharge> charges,
			long actualTokens, long actualCostNanos, Duration leaseTtl) {
		settle(reservationId, charges, actualTokens, actualCostNanos, leaseTtl);
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * Return the state of one key in its current window.
	 * @param limit the limit
	 * @param key the scope key
	 * @return the state
	 */
	BudgetUsage usage(BudgetLimit limit, String key);

	/**
	 * Return the keys that used the most in the current window: by cost when the limit
	 * caps cost, else by tokens.
	 * @param limit the limit
	 * @param count how many keys
	 * @return the keys with their state, most used first
	 */
	List<KeyUsage> top(BudgetLimit limit, int count);

	/**
	 * Forget a key's use and grants in the current window; reservations in flight stay.
	 * Takes effect on the next call on every instance.
	 * @param limit the limit
	 * @param key the scope key
	 */
	void reset(BudgetLimit limit, String key);

	/**
	 * Allow a key more in the current window only.
	 * @param limit the limit
	 * @param key the scope key
	 * @param extraTokens tokens to add to its allowance
	 * @param extraCostNanos nano-dollars to add to its allowance
	 */
	void grant(BudgetLimit limit, String key, long extraTokens, long extraCostNanos);

	/**
	 * One key's state.
	 *
	 * @param key the scope key
	 * @param usage its state
	 */
	record KeyUsage(String key, BudgetUsage usage) {
	}

}
