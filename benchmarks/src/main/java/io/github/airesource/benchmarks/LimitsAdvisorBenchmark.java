package io.github.airesource.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.concurrency.ConcurrencyAdvisor;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencyPermit;
import io.github.airesource.core.concurrency.ConcurrencyPriority;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.ratelimit.InMemoryRateLimitStore;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimitDecision;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * What the in-memory rate limit and the concurrency bulkhead add to a call, against
 * calling Resilience4j's {@link RateLimiter} and {@link Bulkhead} directly at the same
 * places of the same chain. Target: at most 3 µs added per call uncontended (one thread),
 * and at most 1.5 times what the Resilience4j side adds. The model is a no-op that
 * reports usage; the 2 KB prompt's count comes from the memo, as on a warm service. One
 * thread is the uncontended case; run with {@code -t 2} for two callers.
 *
 * <ul>
 * <li>{@code baseline}: scope capture and usage advisor, as the starter wires them (the
 * baseline of {@link BudgetAdvisorBenchmark}).</li>
 * <li>{@code withLimits}: the same plus the {@link RateLimitAdvisor} (a per-user request
 * limit and a global token limit on the {@link InMemoryRateLimitStore}, charged before
 * and reconciled after each call) and the {@link ConcurrencyAdvisor} (a bulkhead with
 * more permits than callers).</li>
 * <li>{@code withResilience4j}: the same chain with two plain advisors at the same orders
 * instead: one takes a permit from a per-user {@link AtomicRateLimiter} (looked up in a
 * map by the caller's user) and the call's tokens from a global one (the memoized prompt
 * count plus the output reservation, the same number our limit charges), the other holds
 * a Resilience4j semaphore bulkhead permit around the rest of the call. Like ours, both
 * guard streaming calls too ({@link StreamAdvisor}): an application that limits its calls
 * must limit its streams, and Spring AI builds each call's chain from every advisor, so
 * an advisor that is also a stream advisor costs a blocking call more. Resilience4j has
 * no reconciliation after the call, no per-scope keys of its own and no status in the
 * response, so this is the cheapest the same protection can be with the library.</li>
 * <li>{@code withResilience4jBlockingOnly}: the same two advisors without their stream
 * side, as this benchmark had them at first: what guarding streams costs a blocking call
 * in Spring AI's chain.</li>
 * <li>{@code withTwoPassThroughs}: the control, two advisors at the same orders that do
 * nothing (for calls and streams, as ours): what two more advisors cost in Spring AI's
 * chain by themselves.</li>
 * <li>{@code rawResilience4j} and {@code rawOurs}: the same work without any chain: the
 * bare Resilience4j calls, and our bulkhead's {@code enter}/{@code close} with the
 * store's {@code acquire}/{@code adjust} of the same two charges (settled through the
 * admission, as the advisor does).</li>
 * </ul>
 *
 * <p>
 * Added per call: {@code withLimits - baseline} (ours) and
 * {@code withResilience4j - baseline} (Resilience4j's); the target ratio is ours over
 * Resilience4j's. Capacities no run can use up: waits and refusals are not measured, and
 * the teardown fails the run if any call was refused.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class LimitsAdvisorBenchmark {

	/** The output tokens both sides reserve for a call that sets no max tokens. */
	private static final int OUTPUT_RESERVATION = RateLimitAdvisor.DEFAULT_OUTPUT_RESERVATION;

	private static final Supplier<String> DEFAULT_MODEL = () -> "gpt-4o-mini";

	private final AtomicInteger threads = new AtomicInteger();

	private final LongAdder refused = new LongAdder();

	private Prompt prompt;

	private TokenCounter counter;

	private ChatClient baseline;

	private ChatClient withLimits;

	private ChatClient withResilience4j;

	private ChatClient withResilience4jBlockingOnly;

	private ChatClient withPassThroughs;

	// Ours, for the raw benchmark and the checks.

	private ConcurrencyBulkhead bulkhead;

	private InMemoryRateLimitStore store;

	private RateLimit perUserRequests;

	private RateLimit globalTokens;

	// Resilience4j's.

	private Bulkhead r4jBulkhead;

	private RateLimiterConfig r4jPerUserConfig;

	private final Map<String, RateLimiter> r4jPerUser = new ConcurrentHashMap<>();

	private RateLimiter r4jGlobalTokens;

	private int promptTokens;

	@Setup(Level.Trial)
	public void setUp() {
		this.prompt = new Prompt(BenchmarkTexts.twoKilobytePrompt());
		this.counter = TokenCounter.create();
		ScopeResolution resolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());
		UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
				List.<UsageListener>of(new InMemoryUsageLedger(10_000, Clock.systemUTC())));
		UsageAdvisor usage = UsageAdvisor.builder(recorder)
			.tokenCounter(this.counter)
			.scopeResolution(resolution)
			.build();
		ScopeCaptureAdvisor capture = new ScopeCaptureAdvisor(resolution);

		// Ours: capacities no run can use up (a call takes 1 request and about 1,550
		// tokens, and gives most of the tokens back after it), yet of a size whose
		// arithmetic is a real limit's: a period times a capacity that fits in a long.
		this.perUserRequests = RateLimit.of("user-rpm", ScopeType.USER, Duration.ofMinutes(1), 1_000_000_000L, null,
				null);
		this.globalTokens = RateLimit.of("global-tps", ScopeType.GLOBAL, Duration.ofSeconds(1), null, 10_000_000_000L,
				null);
		this.store = new InMemoryRateLimitStore(Clock.systemUTC());
		RateLimits rateLimits = new RateLimits(List.of(this.perUserRequests, this.globalTokens), this.store,
				new ProviderHolds(Clock.systemUTC()));
		RateLimitAdvisor rateLimit = RateLimitAdvisor.builder(rateLimits)
			.tokenCounter(this.counter)
			.scopeResolution(resolution)
			.recorder(recorder)
			.defaultModel(DEFAULT_MODEL)
			.build();
		this.bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(64).maxQueue(100).build();
		ConcurrencyAdvisor concurrency = ConcurrencyAdvisor.builder(this.bulkhead)
			.scopeResolution(resolution)
			.recorder(recorder)
			.defaultModel(DEFAULT_MODEL)
			.build();

		// Resilience4j's: the same permits, rate limiters that never refuse in a run
		// (the token limiter's cycle is short so that even the raw benchmark cannot use
		// up Integer.MAX_VALUE permits in one).
		this.r4jBulkhead = Bulkhead.of("r4j",
				BulkheadConfig.custom()
					.maxConcurrentCalls(64)
					.maxWaitDuration(Duration.ZERO)
					.writableStackTraceEnabled(false)
					.build());
		this.r4jPerUserConfig = RateLimiterConfig.custom()
			.limitForPeriod(Integer.MAX_VALUE)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ZERO)
			.writableStackTraceEnabled(false)
			.build();
		this.r4jGlobalTokens = new AtomicRateLimiter("global-tokens",
				RateLimiterConfig.custom()
					.limitForPeriod(Integer.MAX_VALUE)
					.limitRefreshPeriod(Duration.ofMillis(10))
					.timeoutDuration(Duration.ZERO)
					.writableStackTraceEnabled(false)
					.build());

		this.baseline = ChatClient.builder(NoOpChatModel.reportingUsage()).defaultAdvisors(capture, usage).build();
		this.withLimits = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(capture, rateLimit, concurrency, usage)
			.build();
		this.withResilience4j = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(capture, new Resilience4jRateLimitAdvisor(), new Resilience4jBulkheadAdvisor(), usage)
			.build();
		this.withResilience4jBlockingOnly = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(capture, new BlockingOnly(new Resilience4jRateLimitAdvisor()),
					new BlockingOnly(new Resilience4jBulkheadAdvisor()), usage)
			.build();
		this.withPassThroughs = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(capture, new PassThroughAdvisor(RateLimitAdvisor.DEFAULT_ORDER),
					new PassThroughAdvisor(ConcurrencyAdvisor.DEFAULT_ORDER), usage)
			.build();
		this.promptTokens = this.counter.countPrompt(this.prompt, DEFAULT_MODEL.get()).total();
	}

	@TearDown(Level.Trial)
	public void check() {
		if (this.refused.sum() > 0) {
			throw new IllegalStateException(this.refused.sum() + " calls were refused: the capacities are too small");
		}
		if (this.bulkhead.snapshot().active() != 0
				|| this.r4jBulkhead.getMetrics().getAvailableConcurrentCalls() != 64) {
			throw new IllegalStateException("A bulkhead permit was not given back");
		}
	}

	/**
	 * Each benchmark thread calls as its own user.
	 */
	@State(Scope.Thread)
	public static class Caller {

		String user;

		CallScope scope;

		List<RateLimitCharge> charges;

		@Setup
		public void setUp(LimitsAdvisorBenchmark benchmark) {
			this.user = "user-" + benchmark.threads.incrementAndGet();
			this.scope = new CallScope("acme", this.user, null);
			long tokens = (long) benchmark.promptTokens + OUTPUT_RESERVATION;
			this.charges = List.of(new RateLimitCharge(benchmark.perUserRequests, this.user, tokens, 0),
					new RateLimitCharge(benchmark.globalTokens, CallScope.GLOBAL_ID, tokens, 0));
		}

	}

	@Benchmark
	public ChatResponse baseline(Caller caller) {
		return call(this.baseline, caller);
	}

	@Benchmark
	public ChatResponse withLimits(Caller caller) {
		return call(this.withLimits, caller);
	}

	@Benchmark
	public ChatResponse withResilience4j(Caller caller) {
		return call(this.withResilience4j, caller);
	}

	@Benchmark
	public ChatResponse withResilience4jBlockingOnly(Caller caller) {
		return call(this.withResilience4jBlockingOnly, caller);
	}

	/**
	 * The control: what two more advisors cost in Spring AI's chain, doing nothing.
	 * @param caller the calling thread's user
	 * @return the response
	 */
	@Benchmark
	public ChatResponse withTwoPassThroughs(Caller caller) {
		return call(this.withPassThroughs, caller);
	}

	/**
	 * Resilience4j's calls alone: a per-user limiter found by the user, a global token
	 * limiter, a bulkhead permit taken and given back.
	 * @param caller the calling thread's user
	 * @return whether all were granted
	 */
	@Benchmark
	public boolean rawResilience4j(Caller caller) {
		boolean granted = this.r4jPerUser.computeIfAbsent(caller.user, this::perUserLimiter).acquirePermission()
				&& this.r4jGlobalTokens.acquirePermission(this.promptTokens + OUTPUT_RESERVATION)
				&& this.r4jBulkhead.tryAcquirePermission();
		if (!granted) {
			this.refused.increment();
			return false;
		}
		this.r4jBulkhead.onComplete();
		return true;
	}

	/**
	 * Ours alone: the store takes both charges and gives back what the no-op model did
	 * not use, the bulkhead admits and releases a permit.
	 * @param caller the calling thread's user
	 * @return whether all were granted
	 */
	@Benchmark
	public boolean rawOurs(Caller caller) throws InterruptedException {
		RateLimitDecision decision = this.store.acquire(caller.charges, Duration.ZERO);
		if (!(decision instanceof RateLimitDecision.Admitted admitted)) {
			this.refused.increment();
			return false;
		}
		ConcurrencyPermit permit = this.bulkhead.acquire(ConcurrencyPriority.NORMAL, caller.scope);
		permit.close();
		// As the advisor settles: on the buckets the admission charged.
		this.store.adjust(admitted, caller.charges, 0, 526 - caller.charges.get(0).tokens(), 0);
		return true;
	}

	private ChatResponse call(ChatClient client, Caller caller) {
		return client.prompt(this.prompt)
			.advisors((a) -> a.param(ResourceContextKeys.USER, caller.user).param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.chatResponse();
	}

	private RateLimiter perUserLimiter(String user) {
		return new AtomicRateLimiter(user, this.r4jPerUserConfig);
	}

	/**
	 * Resilience4j's rate limiters at the rate-limit advisor's place: a request permit
	 * from the caller's limiter, the call's tokens from the global one.
	 */
	final class Resilience4jRateLimitAdvisor implements CallAdvisor, StreamAdvisor {

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			acquire(request);
			return chain.nextCall(request);
		}

		@Override
		public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
			return Flux.defer(() -> {
				acquire(request);
				return chain.nextStream(request);
			});
		}

		private void acquire(ChatClientRequest request) {
			Object user = request.context().get(ResourceContextKeys.USER);
			String key = (user != null) ? user.toString() : CallScope.ANONYMOUS;
			String model = RequestModels.modelOf(request, DEFAULT_MODEL);
			int tokens = RequestTokens.of(request, LimitsAdvisorBenchmark.this.counter, model).total()
					+ OUTPUT_RESERVATION;
			if (!LimitsAdvisorBenchmark.this.r4jPerUser
				.computeIfAbsent(key, LimitsAdvisorBenchmark.this::perUserLimiter)
				.acquirePermission() || !LimitsAdvisorBenchmark.this.r4jGlobalTokens.acquirePermission(tokens)) {
				LimitsAdvisorBenchmark.this.refused.increment();
				throw new IllegalStateException("Resilience4j refused a call");
			}
		}

		@Override
		public String getName() {
			return "resilience4j-rate-limiter";
		}

		@Override
		public int getOrder() {
			return RateLimitAdvisor.DEFAULT_ORDER;
		}

	}

	/**
	 * Resilience4j's semaphore bulkhead at the concurrency advisor's place.
	 */
	final class Resilience4jBulkheadAdvisor implements CallAdvisor, StreamAdvisor {

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			Bulkhead bulkhead = enter();
			try {
				return chain.nextCall(request);
			}
			finally {
				bulkhead.onComplete();
			}
		}

		@Override
		public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
			return Flux.defer(() -> {
				Bulkhead bulkhead = enter();
				return chain.nextStream(request).doFinally((signal) -> bulkhead.onComplete());
			});
		}

		private Bulkhead enter() {
			Bulkhead bulkhead = LimitsAdvisorBenchmark.this.r4jBulkhead;
			if (!bulkhead.tryAcquirePermission()) {
				LimitsAdvisorBenchmark.this.refused.increment();
				throw new IllegalStateException("Resilience4j's bulkhead refused a call");
			}
			return bulkhead;
		}

		@Override
		public String getName() {
			return "resilience4j-bulkhead";
		}

		@Override
		public int getOrder() {
			return ConcurrencyAdvisor.DEFAULT_ORDER;
		}

	}

	/**
	 * An advisor's blocking side alone: Spring AI puts it in a call's chain only.
	 */
	static final class BlockingOnly implements CallAdvisor {

		private final CallAdvisor advisor;

		BlockingOnly(CallAdvisor advisor) {
			this.advisor = advisor;
		}

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			return this.advisor.adviseCall(request, chain);
		}

		@Override
		public String getName() {
			return this.advisor.getName();
		}

		@Override
		public int getOrder() {
			return this.advisor.getOrder();
		}

	}

}
