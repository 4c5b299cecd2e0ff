package io.github.airesource.core.ratelimit;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.pricing.ReservationPrices;
import io.github.airesource.core.redis.FailureMode;
import io.github.airesource.core.redis.PendingAnswers;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.support.RejectionCounter;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.support.ResponseContexts;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.ProviderUsage;
import io.github.airesource.core.usage.TokenUsage;
import io.github.airesource.core.usage.UsageObservers;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Keeps calls within request, token and cost rate limits, and holds calls to a model
 * while its provider says it is out of capacity.
 *
 * <p>
 * Before the call, every limit that covers the call's model is charged for the call's
 * scope key: one request, the prompt's tokens (the call's count, reused) plus the most
 * the model may answer (the request's max tokens, else {@code defaultOutputReservation}),
 * as providers count, and for cost limits those tokens at the model's prices. The
 * {@link RateLimitStore} takes all charges or none, atomically, and answers how long the
 * call must wait for its capacity: a blocking call parks for that long (never spins), a
 * stream is delayed with Reactor; a call that would have to wait longer than
 * {@code maxWait} is refused at once with a {@link RateLimitExceededException} that says
 * when to retry. After the call the charge is reconciled with the actual use: the
 * difference is given back or charged. A call that failed before any token gives its
 * tokens and cost back; one refused further in (a {@link ResourceLimitException} from an
 * inner advisor, such as the concurrency limit) never reached the model and gives
 * everything back, its request too.
 *
 * <p>
 * With provider feedback, a response whose rate-limit metadata says a limit is used up
 * ({@code x-ratelimit-remaining-*: 0}), and a 429 with {@code Retry-After} that the
 * auto-configured HTTP interceptors see, make {@link ProviderHolds} hold further calls to
 * that model until the reset: they wait within {@code maxWait}, else are refused locally
 * (limit {@value #PROVIDER_LIMIT}) without an HTTP call.
 *
 * <p>
 * The states of the limits that applied go into the response context under
 * {@value ResourceContextKeys#RATE_LIMIT} as a {@link RateLimitStatus}. When the store
 * fails (Redis down or slow), the configured {@link FailureMode} decides at once:
 * fail-closed refuses the call with a {@link StoreUnavailableException}, fail-open lets
 * it through without a limit and counts it ({@link #failOpenCalls()}).
 *
 * <p>
 * The advisor before this one may take the call's capacity ahead, in its own store round
 * trip ({@link #preAdmission}: the budget, when it shares the rate limits' Redis); the
 * call then arrives admitted, and this advisor waits, reports and settles as usual
 * without a round trip of its own to admit it.
 */
public final class RateLimitAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.RATE_LIMIT;

	/** Output tokens charged when the request sets no max tokens, unless configured. */
	public static final int DEFAULT_OUTPUT_RESERVATION = 1024;

	/** The limit name of refusals because the provider asked to hold calls. */
	public static final String PROVIDER_LIMIT = "provider";

	private static final Log logger = LogFactory.getLog(RateLimitAdvisor.class);

	private final RateLimits rateLimits;

	private final List<RateLimit> limits;

	private final RateLimitStore store;

	/** Whether every limit covers every model: then every call is charged by all. */
	private final boolean everyModel;

	/** Whether a limit counts tokens. */
	private final boolean anyTokens;

	/** Whether a limit counts cost. */
	private final boolean anyCost;

	private final ProviderHolds holds;

	private final PricingCatalog pricing;

	private final ReservationPrices reservationPrices;

	private final TokenCounter tokenCounter;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final int defaultOutputReservation;

	private final Duration maxWait;

	private final boolean providerFeedback;

	private final FailureMode failureMode;

	private final Consumer<Duration> waitRecorder;

	private final int order;

	private final LongAdder failOpenCalls = new LongAdder();

	private final LongAdder failedAdjustments = new LongAdder();

	/** Adjustments sent to the store without waiting, whose answer has not come yet. */
	private final PendingAnswers sentAdjustments = new PendingAnswers();

	private final Map<RateLimitRejection, RejectionCounter> rejections = new EnumMap<>(RateLimitRejection.class);

	private RateLimitAdvisor(Builder builder) {
		this.rateLimits = builder.rateLimits;
		this.limits = builder.rateLimits.limits();
		this.store = builder.rateLimits.store();
		this.everyModel = this.limits.stream().allMatch((limit) -> limit.models().isEmpty());
		this.anyTokens = this.limits.stream().anyMatch((limit) -> limit.tokens() != null);
		this.anyCost = this.limits.stream().anyMatch((limit) -> limit.costNanos() != null);
		this.holds = builder.rateLimits.providerHolds();
		this.pricing = builder.pricing;
		this.reservationPrices = new ReservationPrices(builder.pricing);
		this.tokenCounter = builder.tokenCounter;
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.defaultOutputReservation = builder.defaultOutputReservation;
		this.maxWait = builder.maxWait;
		this.providerFeedback = builder.providerFeedback;
		this.failureMode = builder.failureMode;
		this.waitRecorder = builder.waitRecorder;
		this.order = builder.order;
		for (RateLimitRejection reason : RateLimitRejection.values()) {
			this.rejections.put(reason, new RejectionCounter(this.holds.clock()));
		}
	}

	public static Builder builder(RateLimits rateLimits) {
		return new Builder(rateLimits);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		Admission admission = admit(request);
		admission.park();
		ChatClientResponse response;
		try {
			response = chain.nextCall(request);
		}
		catch (ResourceLimitException ex) {
			admission.giveBackAll();
			throw ex;
		}
		catch (RuntimeException ex) {
			admission.settleIfOpen(0, 0);
			throw ex;
		}
		if (this.providerFeedback) {
			ChatResponse chatResponse = response.chatResponse();
			if (chatResponse != null && chatResponse.getMetadata() != null) {
				this.holds.holdIfExhausted(admission.model, chatResponse.getMetadata().getRateLimit());
			}
		}
		admission.settleFrom(response);
		return admission.withStatus(response);
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		Flux<ChatClientResponse> stream = Flux.defer(() -> {
			Admission admission = admit(request).settledByUsage(request);
			AtomicBoolean refusedFurtherIn = new AtomicBoolean();
			Flux<ChatClientResponse> call = Flux.defer(() -> {
				admission.started = true;
				return chain.nextStream(request);
			})
				.doOnError(ResourceLimitException.class, (ex) -> refusedFurtherIn.set(true))
				.map(admission::withStatus)
				// HTTP filters see the model of the call here, not in the request body.
				.contextWrite((context) -> context.put(ProviderHolds.MODEL_CONTEXT_KEY, admission.model));
			Flux<ChatClientResponse> delayed = admission.delay.isZero() ? call
					: Mono.delay(admission.delay).thenMany(call);
			return delayed.doFinally((signal) -> admission.endStream(signal, refusedFurtherIn.get()));
		});
		// Taking capacity may wait for Redis: never on an event loop (WebFlux, Netty).
		return Schedulers.isInNonBlockingThread() ? stream.subscribeOn(Schedulers.boundedElastic()) : stream;
	}

	/**
	 * Return the rate limits this advisor keeps.
	 * @return the rate limits
	 */
	public RateLimits rateLimits() {
		return this.rateLimits;
	}

	/**
	 * Return the longest a call waits for capacity before it is refused.
	 * @return the max wait
	 */
	public Duration maxWait() {
		return this.maxWait;
	}

	/**
	 * Return how many calls were let through without a limit check because the store
	 * failed under {@link FailureMode#FAIL_OPEN}.
	 * @return the count
	 */
	public long failOpenCalls() {
		return this.failOpenCalls.sum();
	}

	/**
	 * Return how many reconciliations after a call the store failed; those calls stay
	 * charged what they took, except for jointly admitted calls, whose correction the
	 * budget advisor's retry of their settlement sends again.
	 * @return the count
	 */
	public long failedAdjustments() {
		return this.failedAdjustments.sum();
	}

	/**
	 * Wait until every adjustment sent to the store without waiting has its answer; for
	 * shutdown, before the Redis connections close (an adjustment of its own that fails
	 * is lost, as {@link #failedAdjustments()} counts: the call stays charged what it
	 * took).
	 * @param maxWait how long to wait at most
	 * @return whether none is left without an answer
	 */
	public boolean awaitAdjustments(Duration maxWait) {
		return this.sentAdjustments.awaitNone(maxWait);
	}

	/**
	 * Return how many calls were refused since start, by reason.
	 * @return the counts, every reason present
	 */
	public Map<RateLimitRejection, Long> rejections() {
		Map<RateLimitRejection, Long> counts = new EnumMap<>(RateLimitRejection.class);
		this.rejections.forEach((reason, count) -> counts.put(reason, count.count()));
		return counts;
	}

	/**
	 * Return how many calls were refused since start for one reason.
	 * @param reason the reason
	 * @return the count
	 */
	public long rejections(RateLimitRejection reason) {
		return this.rejections.get(reason).count();
	}

	/**
	 * Return when a call was last refused for one reason.
	 * @param reason the reason
	 * @return the time, by the provider holds' clock, or {@code null} when none was
	 */
	@Nullable
	public Instant lastRejection(RateLimitRejection reason) {
		return this.rejections.get(reason).last();
	}

	/**
	 * Prepare a call's admission for the advisor before this one, to take in its own
	 * store round trip, with exactly the charges this advisor would take; see
	 * {@link RateLimitPreAdmission}. Counts and records nothing.
	 * @param request the request as the advisor before this one will pass it on
	 * @return the admission to take, or {@code null} when this advisor must decide on the
	 * call itself: no limit applies, its model's provider asked to hold calls (the wait
	 * is decided when the call gets here), a cost limit has no price for the model, or a
	 * charge can never fit
	 */
	@Nullable
	public RateLimitPreAdmission preAdmission(ChatClientRequest request) {
		String model = RequestModels.modelOf(request, this.defaultModel);
		if (this.providerFeedback && this.holds.holdOf(model) != null) {
			return null;
		}
		List<RateLimitCharge> charges = charges(request, model, CallScopes.of(request, this.scopeResolution), false);
		if (charges == null || charges.isEmpty() || Gcra.neverFits(charges) != null) {
			return null;
		}
		return new RateLimitPreAdmission(this, request, model, charges);
	}

	private Admission admit(ChatClientRequest request) {
		RateLimitPreAdmission ahead = RateLimitPreAdmission.claim(request, this);
		if (ahead != null && !ahead.isFor(request)) {
			// An advisor in between replaced the request, maybe its model or prompt: the
			// capacity taken for the other one goes back, and this one is admitted here.
			giveBack(ahead);
			ahead = null;
		}
		String model = (ahead != null) ? ahead.model() : RequestModels.modelOf(request, this.defaultModel);
		Duration held = Duration.ZERO;
		if (this.providerFeedback) {
			ProviderHold hold = this.holds.holdOf(model);
			if (hold != null) {
				held = Duration.between(this.holds.clock().instant(), hold.until());
				if (held.compareTo(this.maxWait) > 0) {
					if (ahead != null) {
						giveBack(ahead);
					}
					throw refuseHeld(request, model, hold, held);
				}
			}
		}
		if (ahead != null) {
			RedisUnavailableException failure = ahead.failure();
			if (failure != null) {
				return storeFailed(request, model, ahead.charges(), failure, held);
			}
			return admitted(model, ahead.charges(), ahead.decision(), held, ahead.settlement());
		}
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		List<RateLimitCharge> charges = charges(request, model, scope, true);
		if (charges.isEmpty()) {
			return new Admission(model, charges, 0, 0, held, null, null);
		}
		RateLimitDecision decision;
		try {
			decision = this.store.acquire(charges, this.maxWait);
		}
		catch (RedisUnavailableException ex) {
			return storeFailed(request, model, charges, ex, held);
		}
		if (decision instanceof RateLimitDecision.Refused refused) {
			throw refusal(request, model, charges, refused);
		}
		return admitted(model, charges, (RateLimitDecision.Admitted) decision, held, null);
	}

	private Admission admitted(String model, List<RateLimitCharge> charges, RateLimitDecision.Admitted admitted,
			Duration held, @Nullable RateLimitSettlement settlement) {
		RateLimitCharge first = charges.get(0);
		Duration delay = (admitted.delay().compareTo(held) > 0) ? admitted.delay() : held;
		return new Admission(model, charges, first.tokens(), first.costNanos(), delay, admitted, settlement);
	}

	/**
	 * Apply the failure mode to a call whose store failed: let it through without a limit
	 * (fail-open), else refuse it.
	 */
	private Admission storeFailed(ChatClientRequest request, String model, List<RateLimitCharge> charges,
			RedisUnavailableException ex, Duration held) {
		RateLimit first = charges.get(0).limit();
		if (this.failureMode == FailureMode.FAIL_OPEN) {
			this.failOpenCalls.increment();
			logger.debug("Rate-limit store failed; the call goes through unlimited (fail-open)", ex);
			return new Admission(model, List.of(), 0, 0, held, null, null);
		}
		reject(RateLimitRejection.STORE_UNAVAILABLE, request, model);
		throw new StoreUnavailableException("The rate-limit store did not answer (" + ex.getMessage()
				+ "), so rate limit '" + first.name() + "' could not be checked and the call is refused "
				+ "(ai.resource.redis.failure-mode=fail-closed)", first.name(), first.scope(), null, ex);
	}

	/**
	 * Count a refusal by the store and return the exception that tells the caller.
	 */
	RateLimitExceededException refusal(ChatClientRequest request, String model, List<RateLimitCharge> charges,
			RateLimitDecision.Refused refused) {
		RateLimitCharge charge = charges.get(refused.index());
		reject(RateLimitRejection.LIMIT, request, model);
		return new RateLimitExceededException(describe(charge, refused), charge.limit().name(), charge.limit().scope(),
				charge.key(), refused.dimension(), refused.retryAfter());
	}

	/**
	 * Give back the capacity an admission taken ahead holds, now.
	 */
	private void giveBack(RateLimitPreAdmission ahead) {
		RateLimitSettlement settlement = ahead.settlement();
		if (settlement == null) {
			return;
		}
		try {
			settlement.release();
		}
		catch (RedisUnavailableException ex) {
			this.failedAdjustments.increment();
			logger.debug("Giving back rate-limit capacity taken ahead failed; it flows back within the period", ex);
		}
	}

	/**
	 * Return what each limit that covers the model takes from the call.
	 * @param refuseUnpriced whether a cost limit over a model without a price refuses the
	 * call (counted); else the answer is {@code null}
	 */
	@Nullable
	private List<RateLimitCharge> charges(ChatClientRequest request, String model, CallScope scope,
			boolean refuseUnpriced) {
		List<RateLimit> applicable;
		boolean countsTokens;
		boolean countsCost;
		if (this.everyModel) {
			// The usual configuration: no list to build per call.
			applicable = this.limits;
			countsTokens = this.anyTokens;
			countsCost = this.anyCost;
		}
		else {
			applicable = new ArrayList<>(this.limits.size());
			countsTokens = false;
			countsCost = false;
			for (RateLimit limit : this.limits) {
				if (limit.appliesTo(model)) {
					applicable.add(limit);
					countsTokens |= limit.tokens() != null;
					countsCost |= limit.costNanos() != null;
				}
			}
		}
		if (applicable.isEmpty()) {
			return List.of();
		}
		long tokens = 0;
		long costNanos = 0;
		if (countsTokens || countsCost) {
			// Request-only limits never count the prompt: counting is the chain's
			// costliest work.
			int prompt = RequestTokens.of(request, this.tokenCounter, model).total();
			Integer maxOutput = RequestModels.maxOutputTokens(request);
			int output = (maxOutput != null) ? maxOutput : this.defaultOutputReservation;
			tokens = (long) prompt + output;
			if (countsCost) {
				costNanos = this.reservationPrices.costNanos(model, prompt, output);
			}
		}
		if (costNanos == ReservationPrices.UNPRICED && !refuseUnpriced) {
			// A cost limit over a model without a price: the caller decides (the joint
			// admission falls back to the separate path, which refuses it).
			return null;
		}
		// Unmodifiable, so that the in-memory store keeps it as it is for the states; one
		// or two limits, as most configurations have, without an array in between.
		return switch (applicable.size()) {
			case 1 -> List.of(charge(request, model, scope, applicable.get(0), tokens, costNanos));
			case 2 -> List.of(charge(request, model, scope, applicable.get(0), tokens, costNanos),
					charge(request, model, scope, applicable.get(1), tokens, costNanos));
			default -> {
				RateLimitCharge[] charges = new RateLimitCharge[applicable.size()];
				for (int i = 0; i < charges.length; i++) {
					charges[i] = charge(request, model, scope, applicable.get(i), tokens, costNanos);
				}
				yield List.of(charges);
			}
		};
	}

	private RateLimitCharge charge(ChatClientRequest request, String model, CallScope scope, RateLimit limit,
			long tokens, long costNanos) {
		String key = scope.idOf(limit.scope());
		if (limit.costNanos() != null && costNanos == ReservationPrices.UNPRICED) {
			reject(RateLimitRejection.UNPRICED, request, model);
			throw new RateLimitExceededException(
					"Model '" + model + "' has no price, so rate limit '" + limit.name()
							+ "' (a cost limit) cannot be kept and the call is refused. Set its price under "
							+ PricingCatalog.priceProperty(model) + " (input and output, USD per 1M tokens)",
					limit.name(), limit.scope(), key, RateDimension.COST, null);
		}
		return new RateLimitCharge(limit, key, tokens, Math.max(costNanos, 0));
	}

	private RateLimitExceededException refuseHeld(ChatClientRequest request, String model, ProviderHold hold,
			Duration held) {
		reject(RateLimitRejection.PROVIDER, request, model);
		return new RateLimitExceededException(
				"The provider of model '" + model + "' is out of capacity (" + hold.reason() + ") until " + hold.until()
						+ ", longer than the rate-limit max-wait of " + this.maxWait
						+ ", so the call is refused without calling it",
				PROVIDER_LIMIT, ScopeType.GLOBAL, hold.model(), null, held);
	}

	private static String describe(RateLimitCharge charge, RateLimitDecision.Refused refused) {
		RateLimit limit = charge.limit();
		String what = switch (refused.dimension()) {
			case REQUESTS -> limit.requests() + " requests";
			case TOKENS -> limit.tokens() + " tokens";
			case COST -> "USD " + BudgetMoney.toUsd(limit.costNanos()).stripTrailingZeros().toPlainString();
		};
		StringBuilder message = new StringBuilder("Rate limit '").append(limit.name())
			.append("' of ")
			.append(limit.scope().value())
			.append(" '")
			.append(charge.key())
			.append("' (")
			.append(what)
			.append(" per ")
			.append(limit.period())
			.append(')');
		if (refused.retryAfter() == null) {
			String needs = switch (refused.dimension()) {
				case REQUESTS -> "1 request";
				case TOKENS -> charge.tokens() + " tokens";
				case COST -> "USD " + BudgetMoney.toUsd(charge.costNanos()).stripTrailingZeros().toPlainString();
			};
			return message.append(" can never fit this call, which needs ").append(needs).toString();
		}
		return message.append(" has no capacity for this call; it fits in ").append(refused.retryAfter()).toString();
	}

	private void reject(RateLimitRejection reason, ChatClientRequest request, String model) {
		this.rejections.get(reason).increment();
		if (this.recorder != null) {
			this.recorder.recordUnserved(model, CallOutcome.REJECTED, CallScopes.of(request, this.scopeResolution));
		}
	}

	@Override
	public String getName() {
		return "ai.resource.rate-limit";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * One admitted call: what it took and how long it must wait. Reconciles at most once.
	 */
	private final class Admission {

		private static final AtomicIntegerFieldUpdater<Admission> SETTLED = AtomicIntegerFieldUpdater
			.newUpdater(Admission.class, "settled");

		private final String model;

		private final List<RateLimitCharge> charges;

		private final long tokens;

		private final long costNanos;

		private final Duration delay;

		/** What the store answered, which it settles with; null without charges. */
		@Nullable
		private final RateLimitDecision.Admitted admitted;

		/** Settles with the budget's settlement, for an admission taken ahead. */
		@Nullable
		private final RateLimitSettlement joint;

		@Nullable
		private final RateLimitStatus status;

		/** Whether a charge counts tokens: else tokens are never adjusted. */
		private final boolean countsTokens;

		/** Whether a charge counts cost: else the actual cost is never needed. */
		private final boolean countsCost;

		/** 1 once reconciled: through {@link #SETTLED}, no AtomicBoolean per call. */
		private volatile int settled;

		/**
		 * Whether other threads may settle: a stream's end and the usage advisor's report
		 * race. A blocking call settles on its own thread, once it returned or threw.
		 */
		private boolean shared;

		private volatile boolean started;

		private boolean observed;

		Admission(String model, List<RateLimitCharge> charges, long tokens, long costNanos, Duration delay,
				@Nullable RateLimitDecision.Admitted admitted, @Nullable RateLimitSettlement joint) {
			this.model = model;
			this.charges = charges;
			this.tokens = tokens;
			this.costNanos = costNanos;
			this.delay = delay;
			this.admitted = admitted;
			this.joint = joint;
			this.status = (charges.isEmpty() || admitted == null) ? null
					: new RateLimitStatus(admitted.states(), delay);
			boolean tokensCounted = false;
			boolean costCounted = false;
			for (int i = 0; i < charges.size(); i++) {
				RateLimit limit = charges.get(i).limit();
				tokensCounted |= limit.tokens() != null;
				costCounted |= limit.costNanos() != null;
			}
			this.countsTokens = tokensCounted;
			this.countsCost = costCounted;
			if (!charges.isEmpty() || !delay.isZero()) {
				RateLimitAdvisor.this.waitRecorder.accept(delay);
			}
		}

		/**
		 * Wait, parked, until the call's capacity is its own. An interrupted caller gives
		 * everything back and is refused.
		 */
		void park() {
			if (this.delay.isZero()) {
				// Admitted at once, as nearly every call is: no clock reads.
				return;
			}
			long deadline = System.nanoTime() + this.delay.toNanos();
			long left = deadline - System.nanoTime();
			while (left > 0) {
				LockSupport.parkNanos(this, left);
				if (Thread.interrupted()) {
					giveBackAll();
					Thread.currentThread().interrupt();
					RateLimitCharge first = this.charges.isEmpty() ? null : this.charges.get(0);
					throw new RateLimitExceededException(
							"Interrupted while waiting " + this.delay + " for rate-limit capacity",
							(first != null) ? first.limit().name() : PROVIDER_LIMIT,
							(first != null) ? first.limit().scope() : ScopeType.GLOBAL,
							(first != null) ? first.key() : this.model, null,
							Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)));
				}
				left = deadline - System.nanoTime();
			}
		}

		Admission settledByUsage(ChatClientRequest request) {
			this.shared = true;
			this.observed = this.charges.isEmpty() || UsageObservers.register(request, this::settle);
			return this;
		}

		ChatClientResponse withStatus(ChatClientResponse response) {
			if (this.status == null) {
				return response;
			}
			return ResponseContexts.with(response, ResourceContextKeys.RATE_LIMIT, this.status);
		}

		/**
		 * How a stream ended decides what is given back: one cancelled while waiting, or
		 * refused further in, never reached the model; one that reached it and was not
		 * reported by the usage advisor (refused in between, read-only context) gives
		 * back its tokens or keeps them.
		 */
		void endStream(SignalType signal, boolean refusedFurtherIn) {
			if (!this.started || refusedFurtherIn) {
				giveBackAll();
			}
			else if (this.observed) {
				settleIfOpen(0, 0);
			}
			else {
				settleIfOpen(this.tokens, this.costNanos);
			}
		}

		void settle(UsageRecord record) {
			// Money arithmetic only when a limit counts cost.
			long cost = (this.countsCost && record.cost() != null) ? BudgetMoney.toNanosCeiling(record.cost())
					: this.costNanos;
			settleIfOpen((long) record.promptTokens() + record.completionTokens(), cost);
		}

		/**
		 * Reconcile from a response: the usage advisor's record, else the provider's
		 * usage, else what was taken stays.
		 */
		void settleFrom(ChatClientResponse response) {
			if (this.charges.isEmpty() || this.settled != 0) {
				return;
			}
			if (response.context().get(ResourceContextKeys.USAGE) instanceof UsageRecord record) {
				settle(record);
				return;
			}
			ChatResponse chatResponse = response.chatResponse();
			String reported = ProviderUsage.modelOf(chatResponse);
			String usedModel = (reported != null) ? reported : this.model;
			TokenUsage usage = ProviderUsage.of(chatResponse, usedModel);
			if (usage != null) {
				BigDecimal cost = !this.countsCost ? null : RateLimitAdvisor.this.pricing.cost(usedModel,
						usage.promptTokens(), usage.cachedPromptTokens(), usage.completionTokens());
				settleIfOpen((long) usage.promptTokens() + usage.completionTokens(),
						(cost != null) ? BudgetMoney.toNanosCeiling(cost) : this.costNanos);
				return;
			}
			settleIfOpen(this.tokens, this.costNanos);
		}

		void giveBackAll() {
			adjustOnce(-1, -this.tokens, -this.costNanos);
		}

		void settleIfOpen(long actualTokens, long actualCostNanos) {
			adjustOnce(0, actualTokens - this.tokens, actualCostNanos - this.costNanos);
		}

		private void adjustOnce(long requests, long tokens, long costNanos) {
			if (this.charges.isEmpty() || !settleFirst()) {
				return;
			}
			// A dimension no charge counts changes nothing in the store: without one
			// left, the store is not called at all, unless the budget's settlement,
			// which shares the round trip, waits for this one.
			long tokenDelta = this.countsTokens ? tokens : 0;
			long costDelta = this.countsCost ? costNanos : 0;
			if (this.joint == null && requests == 0 && tokenDelta == 0 && costDelta == 0) {
				return;
			}
			if (Schedulers.isInNonBlockingThread()) {
				// A stream ends on the model client's event loop; adjusting may wait for
				// Redis.
				Schedulers.boundedElastic().schedule(() -> adjust(requests, tokenDelta, costDelta));
			}
			else {
				adjust(requests, tokenDelta, costDelta);
			}
		}

		/**
		 * Whether this is the first settlement: atomically when other threads may settle
		 * too, else without the atomic instruction (and its fence), on the call's own
		 * thread.
		 */
		private boolean settleFirst() {
			if (this.shared) {
				return SETTLED.compareAndSet(this, 0, 1);
			}
			if (this.settled != 0) {
				return false;
			}
			SETTLED.lazySet(this, 1);
			return true;
		}

		private void adjust(long requests, long tokens, long costNanos) {
			if (this.joint != null) {
				this.joint.adjust(requests, tokens, costNanos, this::adjustmentFailed);
				return;
			}
			CompletableFuture<Void> sent;
			try {
				sent = RateLimitAdvisor.this.store.adjustWithoutWaiting(this.admitted, this.charges, requests, tokens,
						costNanos);
			}
			catch (RedisUnavailableException ex) {
				adjustmentFailed(ex);
				return;
			}
			// The call does not wait for the answer. A failure that comes later counts
			// like one known at once.
			RateLimitAdvisor.this.sentAdjustments.track(sent, this::adjustmentFailed);
		}

		private void adjustmentFailed(RedisUnavailableException ex) {
			// Accounting must not fail the call; the call stays charged what it took,
			// until the budget advisor's retry of a joint settlement corrects it.
			RateLimitAdvisor.this.failedAdjustments.increment();
			logger
				.debug((this.joint != null) ? "Rate-limit adjustment failed; it is retried with the budget's settlement"
						: "Rate-limit adjustment failed; the call stays charged what it took", ex);
		}

	}

	/**
	 * Builder for {@link RateLimitAdvisor}.
	 */
	public static final class Builder {

		private final RateLimits rateLimits;

		private PricingCatalog pricing = PricingCatalog.withDefaults();

		@Nullable
		private TokenCounter tokenCounter;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private int defaultOutputReservation = DEFAULT_OUTPUT_RESERVATION;

		private Duration maxWait = Duration.ZERO;

		private boolean providerFeedback = true;

		private FailureMode failureMode = FailureMode.FAIL_CLOSED;

		private Consumer<Duration> waitRecorder = (wait) -> {
		};

		private int order = DEFAULT_ORDER;

		private Builder(RateLimits rateLimits) {
			Assert.notNull(rateLimits, "rateLimits must not be null");
			this.rateLimits = rateLimits;
		}

		/**
		 * Set the prices that cost limits use.
		 * @param pricing the catalog
		 * @return this builder
		 */
		public Builder pricing(PricingCatalog pricing) {
			Assert.notNull(pricing, "pricing must not be null");
			this.pricing = pricing;
			return this;
		}

		/**
		 * Set the counter of prompts; share the application's so a prompt is counted
		 * once.
		 * @param tokenCounter the counter
		 * @return this builder
		 */
		public Builder tokenCounter(TokenCounter tokenCounter) {
			this.tokenCounter = tokenCounter;
			return this;
		}

		/**
		 * Set how calls are attributed to scope keys.
		 * @param scopeResolution the resolution
		 * @return this builder
		 */
		public Builder scopeResolution(ScopeResolution scopeResolution) {
			Assert.notNull(scopeResolution, "scopeResolution must not be null");
			this.scopeResolution = scopeResolution;
			return this;
		}

		/**
		 * Set the recorder that counts refused calls ({@code outcome=rejected}).
		 * @param recorder the recorder, may be {@code null}
		 * @return this builder
		 */
		public Builder recorder(@Nullable UsageRecorder recorder) {
			this.recorder = recorder;
			return this;
		}

		/**
		 * Set the model of calls whose options name none, such as the chat model's
		 * default.
		 * @param defaultModel supplies the model name, may supply {@code null}
		 * @return this builder
		 */
		public Builder defaultModel(Supplier<String> defaultModel) {
			Assert.notNull(defaultModel, "defaultModel must not be null");
			this.defaultModel = defaultModel;
			return this;
		}

		/**
		 * Set the output tokens charged when a request sets no max tokens.
		 * @param tokens the reservation
		 * @return this builder
		 */
		public Builder defaultOutputReservation(int tokens) {
			Assert.isTrue(tokens >= 0, "defaultOutputReservation must not be negative");
			this.defaultOutputReservation = tokens;
			return this;
		}

		/**
		 * Set the longest a call waits for capacity before it is refused.
		 * @param maxWait the wait, zero to refuse at once
		 * @return this builder
		 */
		public Builder maxWait(Duration maxWait) {
			Assert.isTrue(maxWait != null && !maxWait.isNegative(), "maxWait must not be negative");
			this.maxWait = maxWait;
			return this;
		}

		/**
		 * Set whether calls to a model are held while its provider says it is out of
		 * capacity.
		 * @param providerFeedback whether to respect the provider's rate-limit answers
		 * @return this builder
		 */
		public Builder providerFeedback(boolean providerFeedback) {
			this.providerFeedback = providerFeedback;
			return this;
		}

		/**
		 * Set what happens when the store fails.
		 * @param failureMode the failure mode
		 * @return this builder
		 */
		public Builder failureMode(FailureMode failureMode) {
			Assert.notNull(failureMode, "failureMode must not be null");
			this.failureMode = failureMode;
			return this;
		}

		/**
		 * Set what is told how long each limited call waited, such as a timer.
		 * @param waitRecorder receives the wait of every call a limit or hold applied to
		 * @return this builder
		 */
		public Builder waitRecorder(Consumer<Duration> waitRecorder) {
			Assert.notNull(waitRecorder, "waitRecorder must not be null");
			this.waitRecorder = waitRecorder;
			return this;
		}

		/**
		 * Set the position in the advisor chain.
		 * @param order the order
		 * @return this builder
		 */
		public Builder order(int order) {
			this.order = order;
			return this;
		}

		public RateLimitAdvisor build() {
			if (this.tokenCounter == null) {
				this.tokenCounter = TokenCounter.create();
			}
			return new RateLimitAdvisor(this);
		}

	}

}
