package io.github.airesource.core.budget;

import java.time.Duration;
import java.util.List;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.lang.Nullable;

/**
 * Reserves a call's budget together with the admission of the advisor that the chain
 * calls next, in one store round trip, and settles both in one more: the rate limits,
 * when they and the budget keep their state in one Redis
 * ({@link io.github.airesource.core.admission.JointAdmission}). Without a partner the
 * budget advisor reserves and settles with its {@link BudgetStore} alone, and the next
 * advisor makes round trips of its own.
 *
 * <p>
 * The budget advisor asks its partner first, for every reservation (a fallback model's
 * too); a partner that does not join a call answers {@code null} and the store reserves
 * as usual. A partner joins only when it can give the same answers the two advisors would
 * give one after the other: the budget is checked first, and a call the budget refuses or
 * sends to its fallback model takes nothing from the partner.
 */
@FunctionalInterface
public interface BudgetReservationPartner {

	/**
	 * Reserve a call's budget charges and, in the same atomic step, admit it for the
	 * advisor the chain calls next.
	 * @param request the request as the budget advisor passes it on
	 * @param next the advisor the chain calls right after the budget advisor, or
	 * {@code null} when there is none or it is unknown; a partner joins only the advisor
	 * it stands for
	 * @param reservationId the reservation's id
	 * @param charges the budget charges, at least one
	 * @param leaseTtl how long the reservation holds without settlement
	 * @param checkFallbackAt as for {@link BudgetStore#reserve}
	 * @return the reservation, or {@code null} when the partner does not join this call
	 * @throws io.github.airesource.core.redis.RedisUnavailableException when the store
	 * fails: nothing is known to be reserved, and the budget's failure mode applies
	 * @throws io.github.airesource.core.ResourceLimitException when the budget fits but
	 * the partner refuses the call: nothing was reserved
	 */
	@Nullable
	Reservation reserve(ChatClientRequest request, @Nullable Advisor next, String reservationId,
			List<BudgetCharge> charges, Duration leaseTtl, boolean checkFallbackAt);

	/**
	 * Wait until the settlements this partner sent without waiting have their answers, so
	 * that those that failed reach the budget advisor's retries; for shutdown. A partner
	 * that waits for each settlement as it sends it has none to wait for.
	 * @param maxWait how long to wait at most
	 * @return whether none is left without an answer
	 */
	default boolean awaitSettlements(Duration maxWait) {
		return true;
	}

	/**
	 * The outcome of a reservation.
	 *
	 * @param answer the budget's answer; unless {@link BudgetAdmission.Admitted}, nothing
	 * was reserved and nothing admitted
	 * @param request the request to pass on: it carries the partner's admission to the
	 * next advisor
	 * @param settlement settles the reservation together with the partner's admission;
	 * {@code null} when the budget store settles it alone (or nothing was reserved)
	 */
	record Reservation(BudgetAdmission answer, ChatClientRequest request, @Nullable BudgetSettlement settlement) {
	}

}
