package io.github.airesource.core.admission;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import io.github.airesource.core.HeldResources;
import io.github.airesource.core.admission.redis.RedisJointAdmissionStore;
import io.github.airesource.core.budget.BudgetAdmission;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetReservationPartner;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitDecision;
import io.github.airesource.core.ratelimit.RateLimitPreAdmission;
import io.github.airesource.core.ratelimit.RateLimitStore;
import io.github.airesource.core.redis.PendingAnswers;
import io.github.airesource.core.redis.RedisUnavailableException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * One Redis round trip to admit a call and one to settle it, when a budget and rate
 * limits both apply and keep their state in one Redis. On their own, the budget advisor
 * reserves (a round trip), then the rate-limit advisor right after it takes its capacity
 * (another), and after the call each settles (two more). As the budget advisor's
 * {@link BudgetReservationPartner}, this makes the reservation and the admission one
 * atomic script ({@link RedisJointAdmissionStore}) and hands the admission to the
 * rate-limit advisor in the request ({@link RateLimitPreAdmission}); the two settlements
 * become one script too, run once both advisors have reported ({@link JointSettlement}).
 *
 * <p>
 * The answers are those of the two advisors one after the other, exactly: the budget is
 * checked first (a call it refuses or sends to a fallback model takes no rate-limit
 * capacity, and a fallback model's reservation is joint again, one more round trip in
 * that rare case), the rate limits second; a refusal by either holds nothing. The
 * rate-limit advisor still decides on provider holds, waits out its delay, reports its
 * state and settles as it always does. It joins a call only where nothing could tell the
 * difference:
 * <ul>
 * <li>the rate-limit advisor is the very next advisor of the chain, so that no advisor in
 * between sees, changes or refuses the call between the two decisions;</li>
 * <li>the rate limits apply to the call and their advisor could admit it with its store:
 * no provider hold on the model, a price for cost limits, no charge above a limit's whole
 * capacity.</li>
 * </ul>
 * Other calls are admitted by the two advisors in turn, as without it. When Redis fails,
 * it fails for both: each applies its failure mode (fail-open lets the call through both
 * unchecked, counted by both), and both stores count the failure.
 *
 * <p>
 * Budgets and rate limits whose stores are not Redis through one Redis access are always
 * admitted in turn ({@link #isJoint()}). Thread-safe.
 */
public final class JointAdmission implements BudgetReservationPartner, HeldResources {

	private static final Log logger = LogFactory.getLog(JointAdmission.class);

	private final RateLimitAdvisor rateLimitAdvisor;

	@Nullable
	private final RedisJointAdmissionStore store;

	/** Jointly admitted calls whose settlement was not sent yet: a leak shows here. */
	private final LongAdder settling = new LongAdder();

	/** Settlements sent whose answer has not come yet. */
	private final PendingAnswers sending = new PendingAnswers();

	/**
	 * Create the joint admission of the budget advisor of some budgets and a rate-limit
	 * advisor; give it to that budget advisor
	 * ({@link io.github.airesource.core.budget.BudgetAdvisor.Builder#reservationPartner}).
	 * @param budgets the budgets of the budget advisor
	 * @param rateLimitAdvisor the rate-limit advisor
	 */
	public JointAdmission(Budgets budgets, RateLimitAdvisor rateLimitAdvisor) {
		Assert.notNull(budgets, "budgets must not be null");
		Assert.notNull(rateLimitAdvisor, "rateLimitAdvisor must not be null");
		this.rateLimitAdvisor = rateLimitAdvisor;
		this.store = RedisJointAdmissionStore.of(budgets.store(), rateLimitAdvisor.rateLimits().store()).orElse(null);
		if (this.store == null) {
			logger.info("Budgets and rate limits do not keep their state through one Redis access, "
					+ "so every call is admitted by each in turn");
		}
	}

	/**
	 * Whether calls can be admitted jointly: the budgets and the rate limits keep their
	 * state in Redis through one Redis access.
	 * @return whether this joins calls
	 */
	public boolean isJoint() {
		return this.store != null;
	}

	@Override
	@Nullable
	public Reservation reserve(ChatClientRequest request, @Nullable Advisor next, String reservationId,
			List<BudgetCharge> charges, Duration leaseTtl, boolean checkFallbackAt) {
		RedisJointAdmissionStore store = this.store;
		if (store == null || next != this.rateLimitAdvisor) {
			return null;
		}
		RateLimitPreAdmission ahead = this.rateLimitAdvisor.preAdmission(request);
		if (ahead == null) {
			return null;
		}
		RedisJointAdmissionStore.Decision decision;
		try {
			decision = store.admit(reservationId, charges, leaseTtl, checkFallbackAt, ahead.charges(), ahead.maxWait());
		}
		catch (RedisUnavailableException ex) {
			ahead.failed(ex);
			throw ex;
		}
		if (!(decision.budget() instanceof BudgetAdmission.Admitted)) {
			return new Reservation(decision.budget(), request, null);
		}
		if (decision.rateLimit() instanceof RateLimitDecision.Refused refused) {
			throw ahead.refuse(refused);
		}
		JointSettlement settlement = new JointSettlement(store, rateLimitStore(), reservationId, charges, leaseTtl,
				ahead, this.settling, this.sending);
		ChatClientRequest passedOn = ahead.admit((RateLimitDecision.Admitted) decision.rateLimit(), settlement);
		return new Reservation(decision.budget(), passedOn, settlement);
	}

	private RateLimitStore rateLimitStore() {
		return this.rateLimitAdvisor.rateLimits().store();
	}

	/**
	 * Wait until every settlement sent has its answer, so that those that failed are
	 * queued for their retry; for shutdown, before the budget advisor flushes its
	 * retries.
	 * @param maxWait how long to wait at most
	 * @return whether none is left without an answer
	 */
	@Override
	public boolean awaitSettlements(Duration maxWait) {
		return this.sending.awaitNone(maxWait);
	}

	@Override
	public Map<String, Long> held() {
		return Map.of("admission.settlements", this.settling.sum());
	}

}
