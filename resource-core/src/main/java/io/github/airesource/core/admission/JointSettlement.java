package io.github.airesource.core.admission;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.github.airesource.core.admission.redis.RedisJointAdmissionStore;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetSettlement;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimitPreAdmission;
import io.github.airesource.core.ratelimit.RateLimitSettlement;
import io.github.airesource.core.ratelimit.RateLimitStore;
import io.github.airesource.core.redis.PendingAnswers;
import io.github.airesource.core.redis.RedisUnavailableException;

import org.springframework.lang.Nullable;

/**
 * The settlement of one jointly admitted call: the budget advisor's report and the
 * rate-limit advisor's, in whichever order and on whichever threads they come (a call's
 * inner advisor reports first, a stream's ends in any order), made one round trip once
 * both are in, on the thread of the later one. Each report counts once.
 *
 * <p>
 * The rate-limit part may also end without a report: an admission the rate-limit advisor
 * never took over (the call ended before reaching it) is abandoned when the budget
 * reports, and its capacity given back in the same round trip; one the advisor gave back
 * itself at once ({@link #release()}) adds nothing. The round trip is sent without
 * waiting for its answer (see {@link RedisJointAdmissionStore#settle}): the call returns
 * meanwhile. A settlement whose round trip fails tells both advisors when the failure
 * comes, as two failed round trips would have, and the budget advisor's retry sends the
 * same round trip again ({@link #settleAgain()}): Redis corrects the rate limits only in
 * the settlement that releases the reservation, so a round trip that did reach Redis
 * before it failed changes nothing the second time.
 */
final class JointSettlement implements BudgetSettlement, RateLimitSettlement {

	private final RedisJointAdmissionStore store;

	private final RateLimitStore rateLimitStore;

	private final String reservationId;

	private final List<BudgetCharge> budgetCharges;

	private final Duration leaseTtl;

	private final RateLimitPreAdmission ahead;

	private final LongAdder settling;

	private final PendingAnswers sending;

	// Guarded by this; read without the lock only by the thread that completed them.

	@Nullable
	private Consumer<RedisUnavailableException> budgetFailure;

	private long actualTokens;

	private long actualCostNanos;

	private Part rateLimit = Part.WAITING;

	@Nullable
	private Consumer<RedisUnavailableException> rateLimitFailure;

	private long requests;

	private long tokens;

	private long costNanos;

	JointSettlement(RedisJointAdmissionStore store, RateLimitStore rateLimitStore, String reservationId,
			List<BudgetCharge> budgetCharges, Duration leaseTtl, RateLimitPreAdmission ahead, LongAdder settling,
			PendingAnswers sending) {
		this.store = store;
		this.rateLimitStore = rateLimitStore;
		this.reservationId = reservationId;
		this.budgetCharges = budgetCharges;
		this.leaseTtl = leaseTtl;
		this.ahead = ahead;
		this.settling = settling;
		this.sending = sending;
		settling.increment();
	}

	@Override
	public void settle(long actualTokens, long actualCostNanos, Consumer<RedisUnavailableException> onFailure) {
		synchronized (this) {
			if (this.budgetFailure != null) {
				return;
			}
			this.actualTokens = actualTokens;
			this.actualCostNanos = actualCostNanos;
			this.budgetFailure = onFailure;
			if (this.rateLimit == Part.WAITING && this.ahead.abandon()) {
				this.rateLimit = Part.ABANDONED;
			}
			if (this.rateLimit == Part.WAITING) {
				return;
			}
		}
		settleBoth();
	}

	@Override
	public void adjust(long requests, long tokens, long costNanos, Consumer<RedisUnavailableException> onFailure) {
		synchronized (this) {
			if (this.rateLimit != Part.WAITING) {
				return;
			}
			this.requests = requests;
			this.tokens = tokens;
			this.costNanos = costNanos;
			this.rateLimitFailure = onFailure;
			this.rateLimit = Part.REPORTED;
			if (this.budgetFailure == null) {
				return;
			}
		}
		settleBoth();
	}

	@Override
	public void release() {
		synchronized (this) {
			if (this.rateLimit != Part.WAITING) {
				return;
			}
		}
		RateLimitCharge first = this.ahead.charges().get(0);
		try {
			this.rateLimitStore.adjust(this.ahead.charges(), -1, -first.tokens(), -first.costNanos());
		}
		finally {
			boolean budgetReported;
			synchronized (this) {
				this.rateLimit = Part.RELEASED;
				budgetReported = this.budgetFailure != null;
			}
			if (budgetReported) {
				settleBoth();
			}
		}
	}

	private void settleBoth() {
		// Sent from here on: shutdown waits for its answer. Settling counts only the
		// settlements never sent, a leak.
		this.settling.decrement();
		CompletableFuture<Void> sent;
		try {
			sent = send();
		}
		catch (RuntimeException ex) {
			sent = CompletableFuture.failedFuture(ex);
		}
		this.sending.track(sent, this::failed);
	}

	/**
	 * The same round trip as the first, waiting for its answer, on the budget advisor's
	 * retry thread.
	 */
	@Override
	public boolean settleAgain() {
		try {
			send().join();
		}
		catch (CompletionException ex) {
			throw RedisUnavailableException.of(ex);
		}
		return true;
	}

	/**
	 * Send the settlement of both parts, as they reported.
	 */
	private synchronized CompletableFuture<Void> send() {
		List<RateLimitCharge> charges = List.of();
		long requests = 0;
		long tokens = 0;
		long costNanos = 0;
		if (this.rateLimit == Part.REPORTED) {
			charges = this.ahead.charges();
			requests = this.requests;
			tokens = this.tokens;
			costNanos = this.costNanos;
		}
		else if (this.rateLimit == Part.ABANDONED) {
			charges = this.ahead.charges();
			requests = -1;
			tokens = -charges.get(0).tokens();
			costNanos = -charges.get(0).costNanos();
		}
		return this.store.settle(this.reservationId, this.budgetCharges, this.actualTokens, this.actualCostNanos,
				this.leaseTtl, charges, requests, tokens, costNanos);
	}

	/**
	 * Tell both advisors, on whichever thread Redis's answer came (they only count and
	 * queue a retry).
	 */
	private void failed(RedisUnavailableException failure) {
		this.budgetFailure.accept(failure);
		if (this.rateLimitFailure != null) {
			this.rateLimitFailure.accept(failure);
		}
	}

	/**
	 * Where the rate-limit part stands.
	 */
	private enum Part {

		/** Taken over by the rate-limit advisor, or not yet: no report so far. */
		WAITING,

		/** The rate-limit advisor reported its correction. */
		REPORTED,

		/** The rate-limit advisor gave the capacity back itself. */
		RELEASED,

		/**
		 * The rate-limit advisor never took the admission over: its capacity goes back.
		 */
		ABANDONED

	}

}
