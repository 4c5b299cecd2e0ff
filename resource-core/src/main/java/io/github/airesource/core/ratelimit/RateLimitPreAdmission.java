package io.github.airesource.core.ratelimit;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.support.RequestContexts;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.lang.Nullable;

/**
 * A call's rate-limit admission taken ahead of the {@link RateLimitAdvisor}, by the
 * advisor before it, in that advisor's own store round trip: the budget's reservation and
 * the rate limits' admission are one script when both keep their state in one Redis
 * ({@link io.github.airesource.core.admission.JointAdmission}).
 *
 * <p>
 * The rate-limit advisor prepares it ({@link RateLimitAdvisor#preAdmission}) with exactly
 * the charges it would take itself. The outer advisor's store takes them, then reports
 * the outcome here: {@link #refuse} counts the refusal and returns the exception the
 * rate-limit advisor would have thrown; {@link #admit} hands the admission to the
 * rate-limit advisor in the request passed on; {@link #failed} tells it that the store
 * failed, so that it applies its failure mode without a round trip of its own. When the
 * request reaches it, the rate-limit advisor takes the admission over instead of asking
 * its store, and waits, reports its state and settles as it always does. An admission the
 * advisor never takes over (the call ended before reaching it) is {@link #abandon
 * abandoned} by the outer advisor, which gives the capacity back; one that reaches the
 * advisor with another request (an advisor in between replaced it, and may have changed
 * its model or prompt) is given back at once and the advisor admits the call itself.
 */
public final class RateLimitPreAdmission {

	private static final String CONTEXT_KEY = "ai.resource.rate-limit.pre-admission";

	private static final int OPEN = 0;

	private static final int CLAIMED = 1;

	private static final int ABANDONED = 2;

	private static final AtomicIntegerFieldUpdater<RateLimitPreAdmission> STATE = AtomicIntegerFieldUpdater
		.newUpdater(RateLimitPreAdmission.class, "state");

	private final RateLimitAdvisor advisor;

	private final String model;

	private final List<RateLimitCharge> charges;

	/** The request passed on to the rate-limit advisor, which must be the one it gets. */
	private volatile ChatClientRequest request;

	@Nullable
	private volatile RateLimitDecision.Admitted decision;

	@Nullable
	private volatile RateLimitSettlement settlement;

	@Nullable
	private volatile RedisUnavailableException failure;

	private volatile int state;

	RateLimitPreAdmission(RateLimitAdvisor advisor, ChatClientRequest request, String model,
			List<RateLimitCharge> charges) {
		this.advisor = advisor;
		this.request = request;
		this.model = model;
		this.charges = charges;
	}

	/**
	 * Return the charges to take: what the rate-limit advisor would take itself, none of
	 * them larger than its limit's whole capacity.
	 * @return the charges, at least one
	 */
	public List<RateLimitCharge> charges() {
		return this.charges;
	}

	/**
	 * Return the longest the call may wait for its capacity.
	 * @return the rate-limit advisor's max wait
	 */
	public Duration maxWait() {
		return this.advisor.maxWait();
	}

	/**
	 * Report that the store refused the charges, and took nothing.
	 * @param refused the store's answer
	 * @return the exception to throw, the rate-limit advisor's own; the refusal is
	 * counted as the advisor counts it
	 */
	public RateLimitExceededException refuse(RateLimitDecision.Refused refused) {
		return this.advisor.refusal(this.request, this.model, this.charges, refused);
	}

	/**
	 * Report that the store took the charges, and hand the admission to the rate-limit
	 * advisor.
	 * @param decision the store's answer
	 * @param settlement where the rate-limit advisor corrects the charges after the call
	 * @return the request to pass on, which carries the admission: the prepared one, or a
	 * copy when its context is read-only
	 */
	public ChatClientRequest admit(RateLimitDecision.Admitted decision, RateLimitSettlement settlement) {
		this.decision = decision;
		this.settlement = settlement;
		if (!RequestContexts.putIfPossible(this.request, CONTEXT_KEY, this)) {
			Map<String, Object> context = new HashMap<>(this.request.context());
			context.put(CONTEXT_KEY, this);
			this.request = new ChatClientRequest(this.request.prompt(), context);
		}
		return this.request;
	}

	/**
	 * Report that the store failed, so that the rate-limit advisor applies its failure
	 * mode to the call without trying the store again. Told only through a request
	 * context that accepts writes; through a read-only one the advisor tries its store
	 * itself.
	 * @param failure the failure
	 */
	public void failed(RedisUnavailableException failure) {
		this.failure = failure;
		RequestContexts.putIfPossible(this.request, CONTEXT_KEY, this);
	}

	/**
	 * Make sure that the rate-limit advisor never takes this admission over, unless it
	 * already has: the call ended before reaching it, and the capacity is given back.
	 * @return whether the advisor had not taken it over, so that the capacity is the
	 * caller's to give back
	 */
	public boolean abandon() {
		return STATE.compareAndSet(this, OPEN, ABANDONED);
	}

	/**
	 * Take over the admission a request carries for an advisor, at most once.
	 * @return the admission, or {@code null} when the request carries none for it or it
	 * was abandoned
	 */
	@Nullable
	static RateLimitPreAdmission claim(ChatClientRequest request, RateLimitAdvisor advisor) {
		if (!(request.context().get(CONTEXT_KEY) instanceof RateLimitPreAdmission ahead) || ahead.advisor != advisor
				|| !STATE.compareAndSet(ahead, OPEN, CLAIMED)) {
			return null;
		}
		try {
			// Taken over: the response context, a copy of this one, should not carry it.
			request.context().remove(CONTEXT_KEY);
		}
		catch (UnsupportedOperationException ex) {
			// A read-only context keeps it; it can never be taken over again.
		}
		return ahead;
	}

	/**
	 * Whether the admission was made for this very request: one that an advisor in
	 * between replaced may differ in model or prompt.
	 */
	boolean isFor(ChatClientRequest request) {
		return this.request == request;
	}

	String model() {
		return this.model;
	}

	@Nullable
	RateLimitDecision.Admitted decision() {
		return this.decision;
	}

	@Nullable
	RateLimitSettlement settlement() {
		return this.settlement;
	}

	@Nullable
	RedisUnavailableException failure() {
		return this.failure;
	}

}
