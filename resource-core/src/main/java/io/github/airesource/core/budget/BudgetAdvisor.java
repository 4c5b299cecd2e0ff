package io.github.airesource.core.budget;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.github.airesource.core.HeldResources;
import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetReservationPartner.Reservation;
import io.github.airesource.core.model.ModelNames;
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
import io.github.airesource.core.support.RequestModels;
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
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Keeps calls within their token and cost budgets: reserves before the model call,
 * settles to the actual use after it, so that concurrent calls can never spend more than
 * a budget.
 *
 * <p>
 * Before the call, every limit that covers the call's model is charged for the call's key
 * (its user, tenant, conversation or the global key): the prompt's tokens (the call's
 * count, reused) plus the most the model may answer (the request's max tokens, else
 * {@code defaultOutputReservation}), and for cost limits those tokens at the model's
 * input and output prices. The {@link BudgetStore} reserves all charges or none,
 * atomically. A call that does not fit is refused with a {@link BudgetExceededException}
 * before any model call, or sent to the limit's fallback model when that fits
 * ({@code on-exhausted: fallback-model}); a limit with {@code fallback-at} sends calls
 * there once that fraction is used.
 *
 * <p>
 * After the call the reservation is settled to what the call used, as the usage advisor
 * recorded it: the difference is refunded, an overrun is charged. A call that fails
 * before the provider billed anything settles to zero; a cancelled stream to what it
 * produced. Settlement happens once, on every way the call ends; a reservation that is
 * never settled (a crashed instance) expires after the lease.
 *
 * <p>
 * When the store fails (Redis down or slow), the configured {@link FailureMode} decides
 * at once: fail-closed refuses the call with a {@link StoreUnavailableException},
 * fail-open lets it through unreserved and counts it ({@link #failOpenCalls()}).
 *
 * <p>
 * A settlement the store fails never fails the call: it is retried in the background, on
 * one daemon thread with backoff, until the store takes it, so that the budget is charged
 * what the call used ({@link #failedSettlements()}, {@link #recoveredSettlements()},
 * {@link #abandonedSettlements()}, {@link #pendingSettlements()}). The store's settle is
 * idempotent by reservation id, so a retry of a settle that reached the store but whose
 * answer was lost charges nothing more, and one that comes after the lease ended charges
 * the actual use once. Retries are given up once the store has forgotten the reservation
 * (its lease plus an hour), or when {@value SettlementRetries#CAPACITY} already wait.
 *
 * <p>
 * With a {@link BudgetReservationPartner} (the rate limits, when they share the budget's
 * Redis), a call whose next advisor is the partner's is reserved and admitted by the
 * partner in one round trip, and settled with it in one more; the answers are those of
 * the two advisors one after the other.
 */
public final class BudgetAdvisor implements ResourceAdvisor, HeldResources {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.BUDGET;

	/** Output tokens reserved when the request sets no max tokens, unless configured. */
	public static final int DEFAULT_OUTPUT_RESERVATION = 1024;

	/** How long an unsettled reservation holds, unless configured. */
	public static final Duration DEFAULT_RESERVATION_TTL = Duration.ofMinutes(5);

	/** How long a shutdown waits at most for settlements to reach the store. */
	public static final Duration DEFAULT_FLUSH_TIMEOUT = Duration.ofSeconds(10);

	private static final Log logger = LogFactory.getLog(BudgetAdvisor.class);

	private final Budgets budgets;

	private final List<BudgetLimit> limits;

	/** Whether every limit covers every model: then every call is charged by all. */
	private final boolean everyModel;

	private final BudgetStore store;

	@Nullable
	private final BudgetReservationPartner partner;

	private final PricingCatalog pricing;

	private final ReservationPrices reservationPrices;

	private final TokenCounter tokenCounter;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final int defaultOutputReservation;

	private final Duration reservationTtl;

	private final FailureMode failureMode;

	private final Clock clock;

	private final int order;

	private final String idPrefix = UUID.randomUUID() + ":";

	private final AtomicLong reservations = new AtomicLong();

	private final LongAdder failOpenCalls = new LongAdder();

	private final LongAdder failedSettlements = new LongAdder();

	private final SettlementRetries settlementRetries;

	/** Settlements sent to the store without waiting, whose answer has not come yet. */
	private final PendingAnswers sentSettlements = new PendingAnswers();

	/** Admissions that reserved and have not settled yet: a leak shows here. */
	private final LongAdder heldReservations = new LongAdder();

	private BudgetAdvisor(Builder builder) {
		this.budgets = builder.budgets;
		this.limits = builder.budgets.limits();
		this.everyModel = this.limits.stream().allMatch((limit) -> limit.models().isEmpty());
		this.store = builder.budgets.store();
		this.partner = builder.partner;
		this.pricing = builder.pricing;
		this.reservationPrices = new ReservationPrices(builder.pricing);
		this.tokenCounter = builder.tokenCounter;
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.defaultOutputReservation = builder.defaultOutputReservation;
		this.reservationTtl = builder.reservationTtl;
		this.failureMode = builder.failureMode;
		this.clock = builder.clock;
		this.order = builder.order;
		this.settlementRetries = new SettlementRetries(this.store, builder.settlementRetryCapacity);
	}

	public static Builder builder(Budgets budgets) {
		return new Builder(budgets);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		Admission admission = admit(request, next(chain.getCallAdvisors()));
		ChatClientResponse response;
		try {
			response = chain.nextCall(admission.request());
		}
		catch (RuntimeException ex) {
			admission.settleIfOpen(0, 0);
			throw ex;
		}
		admission.settleFrom(response);
		return response;
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		Flux<ChatClientResponse> stream = Flux.defer(() -> {
			Admission admission = admit(request, next(chain.getStreamAdvisors())).settledByUsage();
			// The usage advisor settles on every way the stream ends; this is the net for
			// streams that end before reaching it (an advisor in between refused them).
			return chain.nextStream(admission.request()).doFinally((signal) -> admission.settleStreamIfOpen());
		});
		// Reserving may wait for Redis: never on an event loop (WebFlux, Netty).
		return Schedulers.isInNonBlockingThread() ? stream.subscribeOn(Schedulers.boundedElastic()) : stream;
	}

	/**
	 * Return how many calls were let through unreserved because the store failed under
	 * {@link FailureMode#FAIL_OPEN}.
	 * @return the count
	 */
	public long failOpenCalls() {
		return this.failOpenCalls.sum();
	}

	/**
	 * Return how many settlements the store failed at their first attempt; each is then
	 * retried in the background and ends up recovered or abandoned.
	 * @return the count
	 */
	public long failedSettlements() {
		return this.failedSettlements.sum();
	}

	/**
	 * Return how many settlements that failed at first were taken by the store on a
	 * retry: their calls are charged what they used.
	 * @return the count
	 */
	public long recoveredSettlements() {
		return this.settlementRetries.recovered();
	}

	/**
	 * Return how many settlements that failed at first were given up: the retry queue was
	 * full, or the store did not take them before it forgot their reservations (the lease
	 * plus an hour). What those calls used is not charged; their reservations freed
	 * themselves when their leases ended.
	 * @return the count
	 */
	public long abandonedSettlements() {
		return this.settlementRetries.abandoned();
	}

	/**
	 * Return how many settlements that failed at first wait for a retry now.
	 * @return the count
	 */
	public long pendingSettlements() {
		return this.settlementRetries.pending();
	}

	/**
	 * Wait for the answers to the settlements sent without waiting, by the store or the
	 * reservation partner (those that failed join the retries), then send the settlements
	 * that wait for a retry now, and wait until none is left or the time is up; for
	 * shutdown, before the Redis connections close (what is still waiting then is lost:
	 * its reservations free themselves when their leases end).
	 * @param maxWait how long to wait at most, for both
	 * @return whether none is left waiting
	 */
	public boolean flushSettlements(Duration maxWait) {
		long deadline = System.nanoTime() + maxWait.toNanos();
		boolean answered = awaitSentSettlements(maxWait);
		if (!answered) {
			logger.warn("Budget settlements sent to the store had no answer within " + maxWait);
		}
		boolean flushed = this.settlementRetries.flush(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)));
		if (!flushed) {
			logger.warn(pendingSettlements() + " budget settlements could not be sent to the store within " + maxWait
					+ "; what those calls used is not charged");
		}
		return answered && flushed;
	}

	/**
	 * Wait until every settlement sent without waiting, by the store or by the
	 * reservation partner, has its answer, so that those that failed are queued for their
	 * retry.
	 */
	boolean awaitSentSettlements(Duration maxWait) {
		long deadline = System.nanoTime() + maxWait.toNanos();
		boolean own = this.sentSettlements.awaitNone(maxWait);
		return (this.partner == null
				|| this.partner.awaitSettlements(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)))) && own;
	}

	/**
	 * Return the budgets this advisor keeps.
	 * @return the budgets
	 */
	public Budgets budgets() {
		return this.budgets;
	}

	/**
	 * Return the advisor the chain calls right after this one, which the partner may
	 * admit the call for; {@code null} without a partner, which needs no lookup.
	 */
	@Nullable
	private Advisor next(List<? extends Advisor> advisors) {
		if (this.partner == null) {
			return null;
		}
		int at = advisors.indexOf(this);
		return (at >= 0 && at + 1 < advisors.size()) ? advisors.get(at + 1) : null;
	}

	private Admission admit(ChatClientRequest request, @Nullable Advisor next) {
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		String model = RequestModels.modelOf(request, this.defaultModel);
		List<BudgetCharge> charges = charges(request, model, scope);
		if (charges.isEmpty()) {
			return new Admission(request, "", charges, null);
		}
		String id = reservationId();
		Reservation reservation = reserve(request, next, id, charges, checksFallbackAt(charges, model));
		if (reservation == null) {
			return new Admission(request, id, List.of(), null);
		}
		BudgetAdmission answer = reservation.answer();
		if (answer instanceof BudgetAdmission.Admitted) {
			return new Admission(reservation.request(), id, charges, reservation.settlement());
		}
		BudgetCharge charge = (answer instanceof BudgetAdmission.Refused refused) ? charges.get(refused.index())
				: charges.get(((BudgetAdmission.Degrade) answer).index());
		BudgetUsage usage = (answer instanceof BudgetAdmission.Refused refused) ? refused.usage()
				: ((BudgetAdmission.Degrade) answer).usage();
		String fallback = charge.limit().fallbackModel();
		boolean mayFallBack = answer instanceof BudgetAdmission.Degrade
				|| charge.limit().onExhausted() == ExhaustedAction.FALLBACK_MODEL;
		if (mayFallBack && fallback != null && !sameModel(model, fallback)) {
			Admission rerouted = admitOnFallback(request, next, scope, fallback);
			if (rerouted != null) {
				return rerouted;
			}
		}
		throw refuse(request, scope, model, charge, usage);
	}

	@Nullable
	private Admission admitOnFallback(ChatClientRequest request, @Nullable Advisor next, CallScope scope,
			String fallback) {
		ChatClientRequest rerouted = RequestModels.withModel(request, fallback);
		if (rerouted == null) {
			logger.warn("Cannot send the call to fallback model '" + fallback + "': its chat options have no model");
			return null;
		}
		List<BudgetCharge> charges = charges(rerouted, fallback, scope);
		if (charges.isEmpty()) {
			return new Admission(rerouted, "", charges, null);
		}
		String id = reservationId();
		Reservation reservation = reserve(rerouted, next, id, charges, false);
		if (reservation == null) {
			return new Admission(rerouted, id, List.of(), null);
		}
		if (reservation.answer() instanceof BudgetAdmission.Refused refused) {
			throw refuse(rerouted, scope, fallback, charges.get(refused.index()), refused.usage());
		}
		return new Admission(reservation.request(), id, charges, reservation.settlement());
	}

	/**
	 * Reserve, with the partner when it joins the call, else with the store, applying the
	 * failure mode when the store fails.
	 * @return the reservation, or {@code null} when the call goes through unreserved
	 * (fail-open)
	 */
	@Nullable
	private Reservation reserve(ChatClientRequest request, @Nullable Advisor next, String id,
			List<BudgetCharge> charges, boolean checkFallbackAt) {
		try {
			if (this.partner != null) {
				Reservation joint = this.partner.reserve(request, next, id, charges, this.reservationTtl,
						checkFallbackAt);
				if (joint != null) {
					return joint;
				}
			}
			return new Reservation(this.store.reserve(id, charges, this.reservationTtl, checkFallbackAt), request,
					null);
		}
		catch (RedisUnavailableException ex) {
			BudgetCharge first = charges.get(0);
			if (this.failureMode == FailureMode.FAIL_OPEN) {
				this.failOpenCalls.increment();
				logger.debug("Budget store failed; the call goes through unreserved (fail-open)", ex);
				return null;
			}
			recordRejection(request, RequestModels.modelOf(request, this.defaultModel));
			throw new StoreUnavailableException(
					"The budget store did not answer (" + ex.getMessage() + "), so budget '" + first.limit().name()
							+ "' could not be checked and the call is refused "
							+ "(ai.resource.redis.failure-mode=fail-closed)",
					first.limit().name(), first.limit().scope(), null, ex);
		}
	}

	private List<BudgetCharge> charges(ChatClientRequest request, String model, CallScope scope) {
		List<BudgetLimit> applicable = this.limits;
		if (!this.everyModel) {
			// Only with model lists: the usual configuration needs no list per call.
			applicable = new ArrayList<>(this.limits.size());
			for (BudgetLimit limit : this.limits) {
				if (limit.appliesTo(model)) {
					applicable.add(limit);
				}
			}
		}
		if (applicable.isEmpty()) {
			return List.of();
		}
		int prompt = RequestTokens.of(request, this.tokenCounter, model).total();
		Integer maxOutput = RequestModels.maxOutputTokens(request);
		int output = (maxOutput != null) ? maxOutput : this.defaultOutputReservation;
		long costNanos = this.reservationPrices.costNanos(model, prompt, output);
		BudgetCharge[] charges = new BudgetCharge[applicable.size()];
		for (int i = 0; i < charges.length; i++) {
			BudgetLimit limit = applicable.get(i);
			String key = scope.idOf(limit.scope());
			BudgetAmount allowance = this.budgets.allowanceOf(limit, key);
			if (allowance.maxCost() != null && costNanos < 0) {
				recordRejection(request, model);
				throw new BudgetExceededException(
						"Model '" + model + "' has no price, so budget '" + limit.name()
								+ "' (a cost limit) cannot be kept and the call is refused. Set its price under "
								+ PricingCatalog.priceProperty(model) + " (input and output, USD per 1M tokens)",
						limit.name(), limit.scope(), key, null, null);
			}
			charges[i] = new BudgetCharge(limit, key, allowance, (long) prompt + output, Math.max(costNanos, 0));
		}
		return switch (charges.length) {
			case 1 -> List.of(charges[0]);
			case 2 -> List.of(charges[0], charges[1]);
			default -> List.of(charges);
		};
	}

	/**
	 * A reservation id unique across instances: a random prefix per advisor and a
	 * sequence, cheaper per call than a random UUID, whose SecureRandom would also make
	 * concurrent calls queue on its lock.
	 */
	private String reservationId() {
		return this.idPrefix + Long.toString(this.reservations.incrementAndGet(), Character.MAX_RADIX);
	}

	private static boolean checksFallbackAt(List<BudgetCharge> charges, String model) {
		for (BudgetCharge charge : charges) {
			BudgetLimit limit = charge.limit();
			if (limit.fallbackAt() > 0 && limit.fallbackModel() != null && !sameModel(model, limit.fallbackModel())) {
				return true;
			}
		}
		return false;
	}

	private static boolean sameModel(String model, String other) {
		return ModelNames.family(ModelNames.normalize(model)).equals(ModelNames.family(ModelNames.normalize(other)));
	}

	private BudgetExceededException refuse(ChatClientRequest request, CallScope scope, String model,
			BudgetCharge charge, BudgetUsage usage) {
		recordRejection(request, model);
		Instant now = this.clock.instant();
		Duration retryAfter = Duration.between(now, usage.resetsAt());
		return new BudgetExceededException(describe(charge, usage), charge.limit().name(), charge.limit().scope(),
				charge.key(), usage.resetsAt(), retryAfter.isNegative() ? Duration.ZERO : retryAfter);
	}

	private static String describe(BudgetCharge charge, BudgetUsage usage) {
		BudgetAmount allowance = charge.allowance();
		StringBuilder message = new StringBuilder("Budget '").append(charge.limit().name())
			.append("' of ")
			.append(charge.limit().scope().value())
			.append(" '")
			.append(charge.key())
			.append("' cannot fit this call:");
		if (allowance.maxTokens() != null) {
			message.append(' ')
				.append(usage.usedTokens() + usage.reservedTokens())
				.append(" of ")
				.append(allowance.maxTokens() + usage.extraTokens())
				.append(" tokens used or reserved, the call needs up to ")
				.append(charge.tokens())
				.append(';');
		}
		if (allowance.maxCost() != null) {
			message.append(" USD ")
				.append(BudgetMoney.toUsd(usage.usedCostNanos() + usage.reservedCostNanos())
					.stripTrailingZeros()
					.toPlainString())
				.append(" of ")
				.append(BudgetMoney.toUsd(allowance.maxCostNanos() + usage.extraCostNanos())
					.stripTrailingZeros()
					.toPlainString())
				.append(" used or reserved, the call needs up to ")
				.append(BudgetMoney.toUsd(charge.costNanos()).stripTrailingZeros().toPlainString())
				.append(';');
		}
		return message.append(" it resets at ").append(usage.resetsAt()).toString();
	}

	private void recordRejection(ChatClientRequest request, String model) {
		if (this.recorder != null) {
			this.recorder.recordUnserved(model, CallOutcome.REJECTED, CallScopes.of(request, this.scopeResolution));
		}
	}

	@Override
	public String getName() {
		return "ai.resource.budget";
	}

	@Override
	public Map<String, Long> held() {
		return Map.of("budget.reservations", this.heldReservations.sum());
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * One admitted call: the request as it goes on (possibly to the fallback model) and
	 * what was reserved for it. Settles at most once.
	 */
	private final class Admission {

		private final ChatClientRequest request;

		private final String id;

		private final List<BudgetCharge> charges;

		/** When it was reserved: a retry of its settlement is bounded from then. */
		private final long reservedAtNanos;

		/** Settles with the partner's admission; null: with the store alone. */
		@Nullable
		private final BudgetSettlement settlement;

		private static final AtomicIntegerFieldUpdater<Admission> SETTLED = AtomicIntegerFieldUpdater
			.newUpdater(Admission.class, "settled");

		/** 1 once settled: through {@link #SETTLED}, no AtomicBoolean per call. */
		private volatile int settled;

		private boolean observed;

		Admission(ChatClientRequest request, String id, List<BudgetCharge> charges,
				@Nullable BudgetSettlement settlement) {
			this.request = request;
			this.id = id;
			this.charges = charges;
			this.settlement = settlement;
			this.reservedAtNanos = charges.isEmpty() ? 0 : System.nanoTime();
			if (!charges.isEmpty()) {
				BudgetAdvisor.this.heldReservations.increment();
			}
		}

		/**
		 * Have the usage advisor settle this admission on whichever way the stream ends.
		 * A blocking call settles from its response or its exception instead, which
		 * spares it an entry in the request context.
		 */
		Admission settledByUsage() {
			this.observed = this.charges.isEmpty() || UsageObservers.register(this.request, this::settle);
			if (!this.observed) {
				logger.debug("Read-only request context: the stream settles when it ends, to what was reserved");
			}
			return this;
		}

		/**
		 * The net for a stream the usage advisor did not settle: one that ended before it
		 * reached the usage advisor (refused in between) costs nothing; one the usage
		 * advisor could not report (read-only context) is charged what was reserved.
		 */
		void settleStreamIfOpen() {
			if (this.observed) {
				settleIfOpen(0, 0);
			}
			else {
				settleIfOpen(this.charges.get(0).tokens(), this.charges.get(0).costNanos());
			}
		}

		ChatClientRequest request() {
			return this.request;
		}

		void settle(UsageRecord record) {
			settleIfOpen((long) record.promptTokens() + record.completionTokens(), costNanos(record.cost(),
					record.promptTokens(), record.cachedPromptTokens(), record.completionTokens()));
		}

		/**
		 * The cost a call settles to: what it cost; else, when the provider named a model
		 * without a price (a proxy's or a deployment's own name), its tokens at the price
		 * of the model it was admitted for, since a cost budget must not be charged
		 * nothing for tokens that were paid for; else what was reserved.
		 */
		private long costNanos(@Nullable BigDecimal cost, int promptTokens, int cachedPromptTokens,
				int completionTokens) {
			if (cost != null) {
				return BudgetMoney.toNanosCeiling(cost);
			}
			BigDecimal admitted = BudgetAdvisor.this.pricing.cost(
					RequestModels.modelOf(this.request, BudgetAdvisor.this.defaultModel), promptTokens,
					cachedPromptTokens, completionTokens);
			if (admitted != null) {
				return BudgetMoney.toNanosCeiling(admitted);
			}
			return this.charges.isEmpty() ? 0 : this.charges.get(0).costNanos();
		}

		/**
		 * Settle from a response whose usage the usage advisor did not report (it is off,
		 * or the context was read-only): from the provider's usage, else what was
		 * reserved.
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
			String model = (reported != null) ? reported
					: RequestModels.modelOf(this.request, BudgetAdvisor.this.defaultModel);
			TokenUsage usage = ProviderUsage.of(chatResponse, model);
			if (usage != null) {
				BigDecimal cost = BudgetAdvisor.this.pricing.cost(model, usage.promptTokens(),
						usage.cachedPromptTokens(), usage.completionTokens());
				settleIfOpen((long) usage.promptTokens() + usage.completionTokens(),
						costNanos(cost, usage.promptTokens(), usage.cachedPromptTokens(), usage.completionTokens()));
				return;
			}
			BudgetCharge first = this.charges.get(0);
			settleIfOpen(first.tokens(), first.costNanos());
		}

		void settleIfOpen(long tokens, long costNanos) {
			if (this.charges.isEmpty() || !SETTLED.compareAndSet(this, 0, 1)) {
				return;
			}
			BudgetAdvisor.this.heldReservations.decrement();
			if (Schedulers.isInNonBlockingThread()) {
				// A stream ends on the model client's event loop; settling may wait for
				// Redis.
				Schedulers.boundedElastic().schedule(() -> settle(tokens, costNanos));
			}
			else {
				settle(tokens, costNanos);
			}
		}

		private void settle(long tokens, long costNanos) {
			if (this.settlement != null) {
				this.settlement.settle(tokens, costNanos, (ex) -> settlementFailed(ex, tokens, costNanos));
				return;
			}
			CompletableFuture<Void> sent;
			try {
				sent = BudgetAdvisor.this.store.settleWithoutWaiting(this.id, this.charges, tokens, costNanos,
						BudgetAdvisor.this.reservationTtl);
			}
			catch (RedisUnavailableException ex) {
				settlementFailed(ex, tokens, costNanos);
				return;
			}
			// The call does not wait for the answer. A failure that comes later is
			// retried like one known at once.
			BudgetAdvisor.this.sentSettlements.track(sent, (ex) -> settlementFailed(ex, tokens, costNanos));
		}

		private void settlementFailed(RedisUnavailableException ex, long tokens, long costNanos) {
			// Accounting must not fail the call. The retry sends the partner's whole
			// settlement again where the partner can (the joint admission's rate-limit
			// correction is idempotent with the budget's settle), else only the budget's.
			BudgetAdvisor.this.failedSettlements.increment();
			logger.debug("Budget settlement failed; it is retried in the background", ex);
			BudgetAdvisor.this.settlementRetries.offer(SettlementRetries.Retry.of(this.id, this.charges, tokens,
					costNanos, BudgetAdvisor.this.reservationTtl, this.reservedAtNanos, this.settlement));
		}

	}

	/**
	 * Builder for {@link BudgetAdvisor}.
	 */
	public static final class Builder {

		private final Budgets budgets;

		@Nullable
		private BudgetReservationPartner partner;

		private PricingCatalog pricing = PricingCatalog.withDefaults();

		@Nullable
		private TokenCounter tokenCounter;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private int defaultOutputReservation = DEFAULT_OUTPUT_RESERVATION;

		private Duration reservationTtl = DEFAULT_RESERVATION_TTL;

		private FailureMode failureMode = FailureMode.FAIL_CLOSED;

		private Clock clock = Clock.systemUTC();

		private int order = DEFAULT_ORDER;

		private int settlementRetryCapacity = SettlementRetries.CAPACITY;

		private Builder(Budgets budgets) {
			Assert.notNull(budgets, "budgets must not be null");
			this.budgets = budgets;
		}

		/**
		 * Set the partner that reserves a call together with the next advisor's
		 * admission, in one round trip; it must keep its budget state in these budgets'
		 * store.
		 * @param partner the partner, or {@code null} to reserve with the store alone
		 * @return this builder
		 */
		public Builder reservationPartner(@Nullable BudgetReservationPartner partner) {
			this.partner = partner;
			return this;
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
		 * Set the output tokens reserved when a request sets no max tokens.
		 * @param tokens the reservation
		 * @return this builder
		 */
		public Builder defaultOutputReservation(int tokens) {
			Assert.isTrue(tokens >= 0, "defaultOutputReservation must not be negative");
			this.defaultOutputReservation = tokens;
			return this;
		}

		/**
		 * Set how long an unsettled reservation holds.
		 * @param reservationTtl the lease
		 * @return this builder
		 */
		public Builder reservationTtl(Duration reservationTtl) {
			Assert.isTrue(reservationTtl != null && !reservationTtl.isNegative() && !reservationTtl.isZero(),
					"reservationTtl must be positive");
			this.reservationTtl = reservationTtl;
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
		 * Set the clock used for retry-after times.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			Assert.notNull(clock, "clock must not be null");
			this.clock = clock;
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

		/**
		 * Set how many failed settlements may wait for a retry; tests use a small bound
		 * to reach it.
		 * @param capacity the bound
		 * @return this builder
		 */
		Builder settlementRetryCapacity(int capacity) {
			Assert.isTrue(capacity > 0, "settlementRetryCapacity must be positive");
			this.settlementRetryCapacity = capacity;
			return this;
		}

		public BudgetAdvisor build() {
			if (this.tokenCounter == null) {
				this.tokenCounter = TokenCounter.create();
			}
			return new BudgetAdvisor(this);
		}

	}

}
