package io.github.airesource.core.budget;

import java.util.function.Consumer;

import io.github.airesource.core.redis.RedisUnavailableException;

/**
 * Settles one call's budget reservation that a {@link BudgetReservationPartner} made: the
 * reservation is released and the actual use charged, together with the partner's own
 * settlement of the call, in one store round trip. That round trip runs once both have
 * reported, so it may run later than this call, on the thread of the partner's report.
 */
@FunctionalInterface
public interface BudgetSettlement {

	/**
	 * Release the reservation and charge what the call used. Called once per reservation;
	 * may wait for the store, or return before the store has answered (then
	 * {@link BudgetReservationPartner#awaitSettlements} waits for the answers).
	 * @param actualTokens tokens the call used, prompt plus completion
	 * @param actualCostNanos what the call cost
	 * @param onFailure told, on whichever thread learns of it (it must not block), when
	 * the store fails the settlement; the budget advisor then retries the budget's part
	 * with its {@link BudgetStore}, whose settle of the same reservation is idempotent
	 */
	void settle(long actualTokens, long actualCostNanos, Consumer<RedisUnavailableException> onFailure);

}
