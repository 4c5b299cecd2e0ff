package io.github.airesource.core.admission.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.budget.BudgetAdmission;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.budget.ExhaustedAction;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.ratelimit.InMemoryRateLimitStore;
import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimitDecision;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.testsupport.RedisCommandCounts;
import io.github.airesource.testsupport.RedisServerProcess;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.RedisTestSupport.KeyTtl;
import io.github.airesource.testsupport.TcpProxy;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The joint admission script against Redis: one round trip admits a call against its
 * budget and its rate limits, all or nothing, with the answers and the state the two
 * stores give one after the other; one more settles both.
 */
class RedisJointAdmissionStoreTests {

	/** Generous, since other builds share the test Redis. */
	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private static final Duration LEASE = Duration.ofMinutes(5);

	/**
	 * The rate limits' period: long enough that what flows back during a test is far less
	 * than one unit.
	 */
	private static final Duration PERIOD = Duration.ofDays(30);

	private final List<AutoCloseable> cleanUp = new ArrayList<>();

	private final List<String> prefixes = new ArrayList<>();

	@AfterEach
	void disconnect() throws Exception {
		for (int i = this.cleanUp.size() - 1; i >= 0; i--) {
			this.cleanUp.get(i).close();
		}
		this.prefixes.forEach(RedisTestSupport::deleteKeys);
	}

	private Instance instance;

	@BeforeEach
	void connect() {
		this.instance = instance(RedisTestSupport.uniquePrefix(), own(RedisTestSupport.connectionFactory()));
	}

	@Test
	void whenBothFitThenOneScriptReservesTheBudgetAndTakesTheCapacityAndOneMoreSettlesBoth() {
		RedisServerProcess server = own(RedisServerProcess.start());
		RedisCommandCounts counts = own(new RedisCommandCounts());
		Instance own = instance(RedisTestSupport.uniquePrefix(), factory(server.port(), counts));
		BudgetLimit budget = tokens("user-daily", 10_000);
		RateLimit limit = RateLimit.of("user-rpd", ScopeType.USER, PERIOD, 10L, 100_000L, null);
		List<BudgetCharge> budgetCharges = List.of(charge(budget, 1500));
		List<RateLimitCharge> limitCharges = List.of(new RateLimitCharge(limit, "alice", 1500, 0));
		// Loads the script (EVALSHA answered NOSCRIPT, then EVAL) before counting.
		own.joint.settle("warm-up", budgetCharges, 0, 0, LEASE, List.of(), 0, 0, 0).join();

		RedisJointAdmissionStore.Decision decision = oneScriptCall(server, counts,
				() -> own.joint.admit("r1", budgetCharges, LEASE, false, limitCharges, Duration.ZERO));

		assertThat(decision.budget()).isInstanceOf(BudgetAdmission.Admitted.class);
		assertThat(decision.rateLimit()).isInstanceOfSatisfying(RateLimitDecision.Admitted.class, (admitted) -> {
			assertThat(admitted.delay()).isZero();
			assertThat(admitted.states()).extracting((state) -> state.dimension(), (state) -> state.remaining())
				.containsExactly(tuple(RateDimension.REQUESTS, 9L), tuple(RateDimension.TOKENS, 98_500L));
		});
		assertThat(own.budgets.usage(budget, "alice").reservedTokens()).isEqualTo(1500);

		oneScriptCall(server, counts, () -> {
			own.joint.settle("r1", budgetCharges, 1200, 0, LEASE, limitCharges, 0, -300, 0).join();
			return null;
		});

		BudgetUsage usage = own.budgets.usage(budget, "alice");
		assertThat(usage.usedTokens()).isEqualTo(1200);
		assertThat(usage.reservedTokens()).isZero();
		assertThat(own.limits.state(limit, "alice")).extracting((state) -> state.remaining())
			.containsExactly(9L, 98_800L);
	}

	@Test
	void whenTheRateLimitRefusesThenNothingIsReservedOrTaken() {
		BudgetLimit budget = tokens("user-daily", 10_000);
		RateLimit limit = RateLimit.of("user-rpd", ScopeType.USER, PERIOD, 1L, null, null);
		List<BudgetCharge> budgetCharges = List.of(charge(budget, 1500));
		List<RateLimitCharge> limitCharges = List.of(new RateLimitCharge(limit, "alice", 1500, 0));
		this.instance.joint.admit("r1", budgetCharges, LEASE, false, limitCharges, Duration.ZERO);
		this.instance.joint.settle("r1", budgetCharges, 1000, 0, LEASE, limitCharges, 0, 0, 0).join();

		RedisJointAdmissionStore.Decision refused = this.instance.joint.admit("r2", budgetCharges, LEASE, false,
				limitCharges, Duration.ofSeconds(1));

		assertThat(refused.budget()).isInstanceOf(BudgetAdmission.Admitted.class);
		assertThat(refused.rateLimit()).isInstanceOfSatisfying(RateLimitDecision.Refused.class, (refusal) -> {
			assertThat(refusal.index()).isZero();
			assertThat(refusal.dimension()).isEqualTo(RateDimension.REQUESTS);
			assertThat(refusal.retryAfter()).isGreaterThan(Duration.ofDays(29));
		});
		BudgetUsage usage = this.instance.budgets.usage(budget, "alice");
		assertThat(usage.reservedTokens()).as("the reservation was undone in the same step").isZero();
		assertThat(usage.usedTokens()).isEqualTo(1000);
		assertThat(this.instance.limits.state(limit, "alice")).singleElement()
			.satisfies((state) -> assertThat(state.remaining()).isZero());
	}

	@Test
	void whenTheBudgetRefusesOrSendsTheCallElsewhereThenNoCapacityIsTaken() {
		BudgetLimit small = tokens("user-daily", 1000);
		BudgetLimit degrading = new BudgetLimit("tenant-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(100_000L, null), Set.of(), ExhaustedAction.FALLBACK_MODEL, "gpt-4o-mini", 0.5,
				Map.of());
		RateLimit limit = RateLimit.of("user-rpd", ScopeType.USER, PERIOD, 10L, null, null);
		List<RateLimitCharge> limitCharges = List.of(new RateLimitCharge(limit, "alice", 1500, 0));
		this.instance.budgets.reserve("earlier", List.of(charge(degrading, 60_000)), LEASE, false);

		RedisJointAdmissionStore.Decision refused = this.instance.joint.admit("r1", List.of(charge(small, 1500)), LEASE,
				false, limitCharges, Duration.ZERO);
		RedisJointAdmissionStore.Decision degraded = this.instance.joint.admit("r2", List.of(charge(degrading, 1500)),
				LEASE, true, limitCharges, Duration.ZERO);

		assertThat(refused.budget()).isInstanceOfSatisfying(BudgetAdmission.Refused.class,
				(refusal) -> assertThat(refusal.usage().reservedTokens()).isZero());
		assertThat(degraded.budget()).isInstanceOfSatisfying(BudgetAdmission.Degrade.class,
				(degrade) -> assertThat(degrade.usage().reservedTokens()).isEqualTo(60_000));
		assertThat(refused.rateLimit()).isNull();
		assertThat(degraded.rateLimit()).isNull();
		assertThat(this.instance.limits.state(limit, "alice")).singleElement()
			.satisfies((state) -> assertThat(state.remaining()).as("no capacity taken").isEqualTo(10));
		assertThat(this.instance.budgets.usage(degrading, "alice").reservedTokens()).isEqualTo(60_000);
	}

	@Test
	void whenTheSameCallsAreAdmittedJointlyAndInTurnThenEveryAnswerAndTheStateAreTheSame() {
		Instance inTurn = instance(RedisTestSupport.uniquePrefix(), own(RedisTestSupport.connectionFactory()));
		BudgetLimit perUser = tokens("user-daily", 9000);
		BudgetLimit global = BudgetLimit.of("global-daily", ScopeType.GLOBAL, Duration.ofDays(1),
				new BudgetAmount(9000L, null));
		RateLimit userRequests = RateLimit.of("user-requests", ScopeType.USER, PERIOD, 4L, null, null);
		RateLimit globalTokens = RateLimit.of("global-tokens", ScopeType.GLOBAL, PERIOD, null, 10_000L, null);
		List<String> joint = new ArrayList<>();
		List<String> separate = new ArrayList<>();
		// Calls in flight: nothing is settled, so that every admission counts.
		for (int call = 0; call < 12; call++) {
			String user = (call % 3 == 0) ? "bob" : "alice";
			long tokens = 700 + 100 * call;
			List<BudgetCharge> budgetCharges = List.of(charge(perUser, user, tokens), charge(global, "global", tokens));
			List<RateLimitCharge> limitCharges = List.of(new RateLimitCharge(userRequests, user, tokens, 0),
					new RateLimitCharge(globalTokens, "global", tokens, 0));
			String id = "r" + call;
			joint
				.add(describe(this.instance.joint.admit(id, budgetCharges, LEASE, false, limitCharges, Duration.ZERO)));
			separate.add(describe(admitInTurn(inTurn, id, budgetCharges, limitCharges)));
		}

		assertThat(joint).isEqualTo(separate)
			.as("every outcome happens")
			.anyMatch((answer) -> answer.startsWith("admitted"))
			.anyMatch((answer) -> answer.startsWith("budget refused"))
			.anyMatch((answer) -> answer.startsWith("rate limit refused"));
		for (String key : List.of("alice", "bob")) {
			assertThat(this.instance.budgets.usage(perUser, key)).isEqualTo(inTurn.budgets.usage(perUser, key));
			assertThat(remaining(this.instance, userRequests, key)).isEqualTo(remaining(inTurn, userRequests, key));
		}
		assertThat(this.instance.budgets.usage(global, "global")).isEqualTo(inTurn.budgets.usage(global, "global"));
		assertThat(remaining(this.instance, globalTokens, "global"))
			.isEqualTo(remaining(inTurn, globalTokens, "global"));
	}

	@Test
	void whenTheJointSettlementIsRepeatedThenTheBudgetAndTheRateLimitsChangeOnlyOnce() {
		AliceCall call = AliceCall.admitted(this.instance, "r1");

		// The retry of a settlement that did reach Redis, but whose answer was lost.
		call.settle(this.instance, "r1", 1200, 0, -300);
		call.settle(this.instance, "r1", 1200, 0, -300);

		BudgetUsage usage = this.instance.budgets.usage(call.budget(), "alice");
		assertThat(usage.usedTokens()).isEqualTo(1200);
		assertThat(usage.reservedTokens()).isZero();
		assertThat(this.instance.limits.state(call.limit(), "alice")).extracting((state) -> state.remaining())
			.as("the 300 tokens not used given back once")
			.containsExactly(9L, 98_800L);
	}

	@Test
	void whenTheReservationIsUnknownToRedisThenItsSettlementCorrectsNoRateLimit() {
		AliceCall call = AliceCall.admitted(this.instance, "other");

		// As after a restart of a Redis without persistence: the capacity this call took
		// is gone with its reservation, so giving it back would hand out capacity no
		// call ever took.
		call.settle(this.instance, "lost", 1200, -1, -1500);

		assertThat(this.instance.limits.state(call.limit(), "alice")).extracting((state) -> state.remaining())
			.as("what the other call took, unchanged")
			.containsExactly(9L, 98_500L);
		assertThat(this.instance.budgets.usage(call.budget(), "alice").usedTokens()).isZero();
	}

	@Test
	void whenTwoInstancesRaceABudgetThenExactlyTheCallsThatFitAreAdmittedAndNothingElseIsHeld() throws Exception {
		Instance other = instance(this.instance.prefix, own(RedisTestSupport.connectionFactory()));
		BudgetLimit global = BudgetLimit.of("global-daily", ScopeType.GLOBAL, Duration.ofDays(1),
				new BudgetAmount(7000L, null));
		RateLimit limit = RateLimit.of("global-rpd", ScopeType.GLOBAL, PERIOD, 1000L, null, null);

		int admitted = race(new Instance[] { this.instance, other }, List.of(charge(global, "global", 1000)),
				List.of(new RateLimitCharge(limit, "global", 1000, 0)));

		assertThat(admitted).isEqualTo(7);
		BudgetUsage usage = other.budgets.usage(global, "global");
		assertThat(usage.usedTokens()).isEqualTo(7000);
		assertThat(usage.reservedTokens()).isZero();
		assertThat(remaining(this.instance, limit, "global")).as("refused calls took no capacity").isEqualTo(993);
	}

	@Test
	void whenTwoInstancesRaceARateLimitThenExactlyTheCallsThatFitAreAdmittedAndNoBudgetStaysReserved()
			throws Exception {
		Instance other = instance(this.instance.prefix, own(RedisTestSupport.connectionFactory()));
		BudgetLimit global = BudgetLimit.of("global-daily", ScopeType.GLOBAL, Duration.ofDays(1),
				new BudgetAmount(10_000_000L, null));
		RateLimit limit = RateLimit.of("global-tpd", ScopeType.GLOBAL, PERIOD, null, 5500L, null);

		int admitted = race(new Instance[] { this.instance, other }, List.of(charge(global, "global", 1000)),
				List.of(new RateLimitCharge(limit, "global", 1000, 0)));

		assertThat(admitted).isEqualTo(5);
		BudgetUsage usage = other.budgets.usage(global, "global");
		assertThat(usage.usedTokens()).as("only admitted calls were charged").isEqualTo(5000);
		assertThat(usage.reservedTokens()).as("refused calls hold no reservation").isZero();
		assertThat(remaining(this.instance, limit, "global")).isEqualTo(500);
	}

	@Test
	void whenAdmittedAndSettledThenEveryKeyHasATtl() {
		BudgetLimit budget = tokens("user-daily", 10_000);
		RateLimit limit = RateLimit.of("user-rpd", ScopeType.USER, PERIOD, 10L, 100_000L, null);
		List<BudgetCharge> budgetCharges = List.of(charge(budget, 1500));
		List<RateLimitCharge> limitCharges = List.of(new RateLimitCharge(limit, "alice", 1500, 0));

		this.instance.joint.admit("r1", budgetCharges, LEASE, false, limitCharges, Duration.ZERO);
		this.instance.joint.settle("r1", budgetCharges, 900, 0, LEASE, limitCharges, 0, -600, 0).join();

		List<KeyTtl> keys = RedisTestSupport.keysWithTtl(this.instance.prefix);
		assertThat(keys).extracting(KeyTtl::key)
			.anyMatch((key) -> key.contains("budget:{admission}:counter"))
			.anyMatch((key) -> key.contains("ratelimit:{admission}:tokens"));
		assertThat(keys).allSatisfy((key) -> assertThat(key.ttlMillis()).as(key.key()).isPositive());
	}

	@Test
	void whenRedisIsDownThenAdmitFailsWithinTheTimeoutAndBothStoresCountTheFailure() {
		TcpProxy proxy = own(TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port()));
		proxy.cut();
		Duration timeout = Duration.ofMillis(500);
		ResourceRedis redis = own(new ResourceRedis(factory(proxy.port(), null), this.instance.prefix, timeout));
		RedisBudgetStore budgets = new RedisBudgetStore(redis);
		RedisRateLimitStore limits = new RedisRateLimitStore(redis);
		RedisJointAdmissionStore joint = RedisJointAdmissionStore.of(budgets, limits).orElseThrow();
		RateLimit limit = RateLimit.of("user-rpd", ScopeType.USER, PERIOD, 10L, null, null);

		long start = System.nanoTime();
		assertThatExceptionOfType(RedisUnavailableException.class)
			.isThrownBy(() -> joint.admit("r1", List.of(charge(tokens("user-daily", 10_000), 100)), LEASE, false,
					List.of(new RateLimitCharge(limit, "alice", 100, 0)), Duration.ZERO));

		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.multipliedBy(4));
		assertThat(budgets.health().failures()).isEqualTo(1);
		assertThat(limits.health().failures()).isEqualTo(1);
	}

	@Test
	void whenTheStoresAreNotBothRedisThroughOneAccessThenThereIsNoJointStore() {
		ResourceRedis another = own(
				new ResourceRedis(own(RedisTestSupport.connectionFactory()), this.instance.prefix, TIMEOUT));

		assertThat(RedisJointAdmissionStore.of(this.instance.budgets, new RedisRateLimitStore(another))).isEmpty();
		assertThat(RedisJointAdmissionStore.of(new InMemoryBudgetStore(Clock.systemUTC()), this.instance.limits))
			.isEmpty();
		assertThat(RedisJointAdmissionStore.of(this.instance.budgets, new InMemoryRateLimitStore(Clock.systemUTC())))
			.isEmpty();
	}

	private static String describe(RedisJointAdmissionStore.Decision decision) {
		if (decision.budget() instanceof BudgetAdmission.Refused refused) {
			return "budget refused " + refused.index() + " " + refused.usage();
		}
		if (decision.rateLimit() instanceof RateLimitDecision.Refused refused) {
			return "rate limit refused " + refused.index() + " " + refused.dimension();
		}
		return "admitted";
	}

	/**
	 * What the budget store and the rate-limit store answer one after the other, as the
	 * two advisors ask them without the joint admission.
	 */
	private static RedisJointAdmissionStore.Decision admitInTurn(Instance instance, String id,
			List<BudgetCharge> budgetCharges, List<RateLimitCharge> limitCharges) {
		BudgetAdmission budget = instance.budgets.reserve(id, budgetCharges, LEASE, false);
		if (!(budget instanceof BudgetAdmission.Admitted)) {
			return new RedisJointAdmissionStore.Decision(budget, null);
		}
		RateLimitDecision rateLimit = instance.limits.acquire(limitCharges, Duration.ZERO);
		if (rateLimit instanceof RateLimitDecision.Refused) {
			instance.budgets.settle(id, budgetCharges, 0, 0, LEASE);
		}
		return new RedisJointAdmissionStore.Decision(budget, rateLimit);
	}

	private static int race(Instance[] instances, List<BudgetCharge> budgetCharges, List<RateLimitCharge> limitCharges)
			throws Exception {
		return TestThreads.race(64, (thread) -> () -> {
			RedisJointAdmissionStore joint = instances[thread % 2].joint;
			String id = "r" + thread;
			RedisJointAdmissionStore.Decision decision = joint.admit(id, budgetCharges, LEASE, false, limitCharges,
					Duration.ZERO);
			boolean admitted = decision.rateLimit() instanceof RateLimitDecision.Admitted;
			if (admitted) {
				BudgetCharge charge = budgetCharges.get(0);
				joint.settle(id, budgetCharges, charge.tokens(), 0, LEASE, limitCharges, 0, 0, 0).join();
			}
			return admitted;
		});
	}

	/**
	 * One call of alice's, 1,500 tokens, admitted against a token budget and a rate limit
	 * of requests and tokens.
	 */
	private record AliceCall(BudgetLimit budget, RateLimit limit, List<BudgetCharge> budgetCharges,
			List<RateLimitCharge> limitCharges) {

		static AliceCall admitted(Instance instance, String reservationId) {
			BudgetLimit budget = tokens("user-daily", 10_000);
			RateLimit limit = RateLimit.of("user-rpd", ScopeType.USER, PERIOD, 10L, 100_000L, null);
			AliceCall call = new AliceCall(budget, limit, List.of(charge(budget, 1500)),
					List.of(new RateLimitCharge(limit, "alice", 1500, 0)));
			instance.joint.admit(reservationId, call.budgetCharges, LEASE, false, call.limitCharges, Duration.ZERO);
			return call;
		}

		/**
		 * Settle: the budget at the tokens used, the rate limits by the deltas given.
		 */
		void settle(Instance instance, String reservationId, long usedTokens, long requests, long tokens) {
			instance.joint
				.settle(reservationId, this.budgetCharges, usedTokens, 0, LEASE, this.limitCharges, requests, tokens, 0)
				.join();
		}

	}

	private static long remaining(Instance instance, RateLimit limit, String key) {
		return instance.limits.state(limit, key).get(0).remaining();
	}

	private <T> T oneScriptCall(RedisServerProcess server, RedisCommandCounts counts, Supplier<T> call) {
		long scriptsBefore = RedisCommandCounts.scriptsRun(server);
		Map<String, Long> sentBefore = counts.sent();

		T answer = call.get();

		assertThat(counts.sentSince(sentBefore)).as("commands sent").isEqualTo(Map.of("EVALSHA", 1L));
		assertThat(RedisCommandCounts.scriptsRun(server) - scriptsBefore).as("scripts the server ran").isEqualTo(1);
		return answer;
	}

	private static BudgetLimit tokens(String name, long maxTokens) {
		return BudgetLimit.of(name, ScopeType.USER, Duration.ofDays(1), new BudgetAmount(maxTokens, null));
	}

	private static BudgetCharge charge(BudgetLimit limit, long tokens) {
		return charge(limit, "alice", tokens);
	}

	private static BudgetCharge charge(BudgetLimit limit, String key, long tokens) {
		return new BudgetCharge(limit, key, limit.amount(), tokens, 0);
	}

	private Instance instance(String prefix, LettuceConnectionFactory factory) {
		if (!this.prefixes.contains(prefix)) {
			this.prefixes.add(prefix);
		}
		ResourceRedis redis = own(new ResourceRedis(factory, prefix, TIMEOUT));
		RedisBudgetStore budgets = new RedisBudgetStore(redis);
		RedisRateLimitStore limits = new RedisRateLimitStore(redis);
		return new Instance(prefix, budgets, limits, RedisJointAdmissionStore.of(budgets, limits).orElseThrow());
	}

	private LettuceConnectionFactory factory(int port, RedisCommandCounts counts) {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder();
		if (counts != null) {
			client.clientResources(counts.clientResources());
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port), client.build());
		factory.afterPropertiesSet();
		factory.start();
		return own(factory);
	}

	private <T> T own(T resource) {
		if (resource instanceof LettuceConnectionFactory factory) {
			this.cleanUp.add(factory::destroy);
		}
		else {
			this.cleanUp.add((AutoCloseable) resource);
		}
		return resource;
	}

	/**
	 * One instance's stores on a Redis, and their joint store.
	 */
	private record Instance(String prefix, RedisBudgetStore budgets, RedisRateLimitStore limits,
			RedisJointAdmissionStore joint) {
	}

}
