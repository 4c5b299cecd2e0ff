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
	 * the store fails the settlement; the budget advisor then retries it in the
	 * background, with {@link #settleAgain()} or, when that does not retry, the budget's
	 * part alone with its {@link BudgetStore}, whose settle of the same reservation is
	 * idempotent
	 */
	void settle(long actualTokens, long actualCostNanos, Consumer<RedisUnavailableException> onFailure);

	/**
	 * Send the whole settlement again, the same as the one that failed, and wait for the
	 * store's answer: the budget advisor's retry of a settlement whose outcome is
	 * unknown. Only for a partner whose own part is idempotent with the budget's, applied
	 * by the store only together with the release of the reservation, so that sending it
	 * twice changes nothing more. By default it does nothing and answers {@code false}:
	 * the budget advisor then retries the budget's part alone, and the partner's is lost.
	 * @return whether it was sent again and the store took it
	 * @throws RedisUnavailableException when the store fails it again
	 */
	default boolean settleAgain() {
		return false;
	}

}
