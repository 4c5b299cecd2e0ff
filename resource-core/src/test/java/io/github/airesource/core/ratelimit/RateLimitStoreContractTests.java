package io.github.airesource.core.ratelimit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.testsupport.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The {@link RateLimitStore} contract, run against every store. Time is the store's: an
 * injected clock for the memory store, the Redis server's clock for Redis, where it
 * passes while a test runs. So limits here are mostly per hour, and every bound that time
 * could move is taken from the store's own clock ({@link #storeMicros()}): capacity flows
 * back at {@code capacity / period}, and a test allows exactly what flowed back while it
 * ran, no more.
 */
abstract class RateLimitStoreContractTests {

	static final Duration HOUR = Duration.ofHours(1);

	static final int THREADS = 32;

	/**
	 * Return the store under test; each test gets a fresh one with no buckets.
	 * @return the store
	 */
	protected abstract RateLimitStore store();

	/**
	 * Let at least this much of the store's time pass.
	 * @param duration how long
	 */
	protected abstract void passTime(Duration duration);

	/**
	 * Return the store's time now.
	 * @return epoch microseconds
	 */
	protected abstract long storeMicros();

	/**
	 * Return a period short enough to wait half of it within a test.
	 * @return the period
	 */
	protected abstract Duration shortPeriod();

	@Test
	void whenThreadsRaceARequestLimitThenNoMoreThanTheLimitIsAdmittedInAWindow() throws Exception {
		RateLimit limit = requests("global-rph", ScopeType.GLOBAL, 10, HOUR);

		assertRaceAdmitsOnlyTheLimit(limit, charge(limit, "global", 0, 0), 10);
	}

	@Test
	void whenThreadsRaceATokenLimitThenNoMoreTokensThanTheLimitAreAdmitted() throws Exception {
		RateLimit limit = tokens("user-tph", ScopeType.USER, 10_000, HOUR);

		assertRaceAdmitsOnlyTheLimit(limit, charge(limit, "alice", 1_000, 0), 10);
	}

	@Test
	void whenThreadsRaceACostLimitThenNoMoreCostThanTheLimitIsAdmitted() throws Exception {
		RateLimit limit = RateLimit.of("tenant-cph", ScopeType.TENANT, HOUR, null, null, new BigDecimal("1.00"));

		assertRaceAdmitsOnlyTheLimit(limit, charge(limit, "acme", 10, 100_000_000L), 10);
	}

	@Test
	void whenTheWholeLimitIsSpentThenHalfAPeriodLaterOnlyHalfFitsNeverTheWholeLimit() {
		Duration period = shortPeriod();
		int capacity = 20;
		RateLimit limit = requests("global-short", ScopeType.GLOBAL, capacity, period);
		List<RateLimitCharge> one = List.of(charge(limit, "global", 0, 0));
		int spent = 0;
		// Read before the refused call: the bucket was empty at the latest then.
		long emptyAt = storeMicros();
		while (store().acquire(one, Duration.ZERO) instanceof RateLimitDecision.Admitted) {
			spent++;
			emptyAt = storeMicros();
		}
		assertThat(spent).as("an idle bucket holds the whole limit").isGreaterThanOrEqualTo(capacity);

		passTime(period.dividedBy(2));
		int more = 0;
		while (store().acquire(one, Duration.ZERO) instanceof RateLimitDecision.Admitted) {
			more++;
		}
		long elapsed = storeMicros() - emptyAt;

		assertThat(more).as("half the limit flowed back").isGreaterThanOrEqualTo(capacity / 2);
		assertThat(more).as("no more than flowed back in %d us", elapsed)
			.isLessThanOrEqualTo((int) flowedBack(limit, RateDimension.REQUESTS, elapsed) + 1);
		if (elapsed < Gcra.periodMicros(limit)) {
			assertThat(more).as("never the whole limit again within one period").isLessThan(capacity);
		}
	}

	@Test
	void whenOneLimitRefusesThenNothingIsTakenFromTheOthers() {
		RateLimit user = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		RateLimit tenant = tokens("tenant-tph", ScopeType.TENANT, 1000, HOUR);
		RateLimit global = requests("global-rph", ScopeType.GLOBAL, 100, HOUR);
		admitted(store().acquire(List.of(charge(tenant, "acme", 700, 0)), Duration.ZERO));

		RateLimitDecision answer = store().acquire(
				List.of(charge(user, "alice", 600, 0), charge(tenant, "acme", 600, 0), charge(global, "global", 0, 0)),
				Duration.ZERO);

		assertThat(answer).isInstanceOfSatisfying(RateLimitDecision.Refused.class, (refused) -> {
			assertThat(refused.index()).isEqualTo(1);
			assertThat(refused.dimension()).isEqualTo(RateDimension.TOKENS);
			assertThat(refused.retryAfter()).isPositive();
		});
		assertThat(remaining(user, "alice", RateDimension.TOKENS)).isEqualTo(1000);
		assertThat(remaining(global, "global", RateDimension.REQUESTS)).isEqualTo(100);
		assertThat(remaining(tenant, "acme", RateDimension.TOKENS)).isBetween(300L, 301L);
	}

	@Test
	void whenTheWaitFitsWithinMaxWaitThenTheCallIsAdmittedWithThatDelayAndItsCapacityIsTaken() {
		RateLimit limit = requests("user-rph", ScopeType.USER, 10, HOUR);
		List<RateLimitCharge> one = List.of(charge(limit, "alice", 0, 0));
		long start = storeMicros();
		for (int i = 0; i < 10; i++) {
			admitted(store().acquire(one, Duration.ZERO));
		}
		Duration interval = HOUR.dividedBy(10);

		RateLimitDecision.Admitted first = admitted(store().acquire(one, interval.multipliedBy(2)));
		RateLimitDecision.Admitted second = admitted(store().acquire(one, interval.multipliedBy(2)));

		Duration elapsed = Gcra.duration(storeMicros() - start);
		assertThat(first.delay()).isBetween(interval.minus(elapsed), interval);
		assertThat(second.delay()).as("the first waiter's capacity was taken")
			.isBetween(interval.multipliedBy(2).minus(elapsed), interval.multipliedBy(2));
		assertThat(second.states()).singleElement().satisfies((state) -> {
			assertThat(state.remaining()).isZero();
			assertThat(state.resetAfter()).isBetween(HOUR.plus(interval.multipliedBy(2)).minus(elapsed),
					HOUR.plus(interval.multipliedBy(2)));
		});
	}

	@Test
	void whenTheWaitExceedsMaxWaitThenItIsRefusedWithTheTimeUntilItFitsAndNothingIsTaken() {
		RateLimit limit = requests("user-rph", ScopeType.USER, 10, HOUR);
		RateLimit tenant = tokens("tenant-tph", ScopeType.TENANT, 1000, HOUR);
		long start = storeMicros();
		for (int i = 0; i < 10; i++) {
			admitted(store().acquire(List.of(charge(limit, "alice", 0, 0)), Duration.ZERO));
		}
		Duration interval = HOUR.dividedBy(10);
		List<RateLimitCharge> call = List.of(charge(tenant, "acme", 500, 0), charge(limit, "alice", 0, 0));

		RateLimitDecision first = store().acquire(call, interval.dividedBy(2));
		RateLimitDecision again = store().acquire(call, interval.dividedBy(2));

		Duration elapsed = Gcra.duration(storeMicros() - start);
		for (RateLimitDecision answer : List.of(first, again)) {
			assertThat(answer).isInstanceOfSatisfying(RateLimitDecision.Refused.class, (refused) -> {
				assertThat(refused.index()).isEqualTo(1);
				assertThat(refused.dimension()).isEqualTo(RateDimension.REQUESTS);
				assertThat(refused.retryAfter()).as("nothing was taken by the first refusal")
					.isBetween(interval.minus(elapsed), interval);
			});
		}
		assertThat(remaining(tenant, "acme", RateDimension.TOKENS)).isEqualTo(1000);
	}

	@Test
	void whenAChargeIsLargerThanTheWholeCapacityThenItIsRefusedForGoodAndNothingIsTaken() {
		RateLimit user = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		RateLimit global = requests("global-rph", ScopeType.GLOBAL, 100, HOUR);

		RateLimitDecision answer = store()
			.acquire(List.of(charge(global, "global", 0, 0), charge(user, "alice", 1001, 0)), HOUR.multipliedBy(10));

		assertThat(answer).isEqualTo(new RateLimitDecision.Refused(1, RateDimension.TOKENS, null));
		assertThat(remaining(global, "global", RateDimension.REQUESTS)).isEqualTo(100);
		assertThat(remaining(user, "alice", RateDimension.TOKENS)).isEqualTo(1000);
	}

	@Test
	void whenTheCallUsedMoreThanItTookThenLaterCallsWaitOutTheOverrun() {
		RateLimit limit = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		List<RateLimitCharge> charges = List.of(charge(limit, "alice", 500, 0));
		long start = storeMicros();
		admitted(store().acquire(charges, Duration.ZERO));

		store().adjust(charges, 0, 1000, 0);

		RateLimitState state = single(store().state(limit, "alice"));
		RateLimitDecision next = store().acquire(List.of(charge(limit, "alice", 100, 0)), Duration.ZERO);

		Duration elapsed = Gcra.duration(storeMicros() - start);
		assertThat(state.remaining()).isZero();
		assertThat(state.resetAfter()).as("1500 tokens of 1000 per hour")
			.isBetween(HOUR.multipliedBy(3).dividedBy(2).minus(elapsed), HOUR.multipliedBy(3).dividedBy(2));
		Duration expected = HOUR.dividedBy(2).plus(HOUR.dividedBy(10));
		assertThat(next).isInstanceOfSatisfying(RateLimitDecision.Refused.class,
				(refused) -> assertThat(refused.retryAfter()).isBetween(expected.minus(elapsed), expected));
	}

	@Test
	void whenAnAdmittedCallIsSettledThroughItsAdmissionThenItIsTheSameAsAdjustingItsCharges() {
		RateLimit user = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		RateLimit global = requests("global-rph", ScopeType.GLOBAL, 100, HOUR);
		List<RateLimitCharge> charges = List.of(charge(user, "alice", 800, 0), charge(global, "global", 800, 0),
				charge(user, "alice", 100, 0));
		long start = storeMicros();
		RateLimitDecision.Admitted admission = admitted(store().acquire(charges, Duration.ZERO));

		store().adjust(admission, charges, 0, -300, 0);
		long afterRefund = remaining(user, "alice", RateDimension.TOKENS);
		store().adjust(admission, charges, -1, 0, 0);

		long elapsed = storeMicros() - start;
		assertThat(afterRefund).as("900 taken, 300 given back once per charge of the limit")
			.isBetween(700L, 700L + flowedBack(user, RateDimension.TOKENS, elapsed));
		assertThat(remaining(global, "global", RateDimension.REQUESTS)).isEqualTo(100);
		store().adjust(admission, charges, 0, 5000, 0);
		assertThat(remaining(user, "alice", RateDimension.TOKENS)).isZero();
	}

	@Test
	void whenACallIsRefundedThenCapacityComesBackButNeverBeyondFull() {
		RateLimit limit = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		List<RateLimitCharge> charges = List.of(charge(limit, "alice", 800, 0));
		long start = storeMicros();
		admitted(store().acquire(charges, Duration.ZERO));

		store().adjust(charges, 0, -300, 0);
		long afterPartial = remaining(limit, "alice", RateDimension.TOKENS);
		store().adjust(charges, 0, -5000, 0);

		long elapsed = storeMicros() - start;
		assertThat(afterPartial).isBetween(500L, 500L + flowedBack(limit, RateDimension.TOKENS, elapsed));
		RateLimitState full = single(store().state(limit, "alice"));
		assertThat(full.remaining()).isEqualTo(1000);
		assertThat(full.resetAfter()).isZero();
		admitted(store().acquire(List.of(charge(limit, "alice", 1000, 0)), Duration.ZERO));
		assertThat(store().acquire(List.of(charge(limit, "alice", 1, 0)), Duration.ZERO))
			.as("the refund did not make the bucket hold more than its capacity")
			.isInstanceOf(RateLimitDecision.Refused.class);
	}

	@Test
	void whenCapacityIsTakenThenTheStateSaysWhatRemainsAndWhenTheBucketIsFull() {
		RateLimit limit = new RateLimit("user-limits", ScopeType.USER, HOUR, 10L, 1000L, null, Set.of());
		assertThat(store().state(limit, "alice"))
			.extracting(RateLimitState::dimension, RateLimitState::remaining, RateLimitState::resetAfter,
					RateLimitState::capacity)
			.containsExactly(tuple(RateDimension.REQUESTS, 10L, Duration.ZERO, 10L),
					tuple(RateDimension.TOKENS, 1000L, Duration.ZERO, 1000L));
		long start = storeMicros();

		RateLimitDecision.Admitted admitted = admitted(
				store().acquire(List.of(charge(limit, "alice", 250, 0)), Duration.ZERO));
		admitted(store().acquire(List.of(charge(limit, "alice", 250, 0)), Duration.ZERO));
		admitted(store().acquire(List.of(charge(limit, "alice", 0, 0)), Duration.ZERO));

		List<RateLimitState> states = store().state(limit, "alice");

		Duration elapsed = Gcra.duration(storeMicros() - start);
		assertThat(admitted.states()).extracting(RateLimitState::dimension, RateLimitState::remaining)
			.containsExactly(tuple(RateDimension.REQUESTS, 9L), tuple(RateDimension.TOKENS, 750L));
		assertThat(states.get(0).remaining()).isEqualTo(7);
		assertThat(states.get(0).resetAfter()).isBetween(HOUR.multipliedBy(3).dividedBy(10).minus(elapsed),
				HOUR.multipliedBy(3).dividedBy(10));
		assertThat(states.get(1).remaining()).isEqualTo(500);
		assertThat(states.get(1).resetAfter()).isBetween(HOUR.dividedBy(2).minus(elapsed), HOUR.dividedBy(2));
		assertThat(states).allSatisfy((state) -> {
			assertThat(state.limit()).isEqualTo("user-limits");
			assertThat(state.key()).isEqualTo("alice");
			assertThat(state.period()).isEqualTo(HOUR);
		});
	}

	@Test
	void whenALimitCountsSeveralDimensionsThenTheFirstToRunOutRefuses() {
		RateLimit limit = new RateLimit("user-limits", ScopeType.USER, HOUR, 3L, 1000L, null, Set.of());

		for (int i = 0; i < 2; i++) {
			admitted(store().acquire(List.of(charge(limit, "alice", 400, 0)), Duration.ZERO));
		}
		RateLimitDecision byTokens = store().acquire(List.of(charge(limit, "alice", 400, 0)), Duration.ZERO);
		admitted(store().acquire(List.of(charge(limit, "alice", 100, 0)), Duration.ZERO));
		RateLimitDecision byRequests = store().acquire(List.of(charge(limit, "alice", 1, 0)), Duration.ZERO);

		assertThat(byTokens).isInstanceOfSatisfying(RateLimitDecision.Refused.class,
				(refused) -> assertThat(refused.dimension()).isEqualTo(RateDimension.TOKENS));
		assertThat(byRequests).isInstanceOfSatisfying(RateLimitDecision.Refused.class,
				(refused) -> assertThat(refused.dimension()).isEqualTo(RateDimension.REQUESTS));
		assertThat(store().state(limit, "alice")).extracting(RateLimitState::remaining).containsExactly(0L, 100L);
	}

	@Test
	void whenTheLimitDoesNotDivideThePeriodThenTheWholeLimitStillFitsAtOnceAndNoMore() {
		// 3 per second is 333,333.3 microseconds each: rounding each charge up would not
		// let the third in, rounding down would let a fourth in.
		RateLimit limit = requests("user-rps", ScopeType.USER, 3, HOUR.dividedBy(3600));
		RateLimit cost = RateLimit.of("user-cph", ScopeType.USER, HOUR, null, null, new BigDecimal("0.000000007"));
		List<RateLimitCharge> one = List.of(charge(limit, "alice", 0, 0));
		List<RateLimitCharge> nano = List.of(charge(cost, "alice", 0, 1));

		int admitted = 0;
		while (admitted < 10 && store().acquire(one, Duration.ZERO) instanceof RateLimitDecision.Admitted) {
			admitted++;
		}
		int nanos = 0;
		while (nanos < 10 && store().acquire(nano, Duration.ZERO) instanceof RateLimitDecision.Admitted) {
			nanos++;
		}

		assertThat(admitted).isBetween(3, 3 + 1);
		assertThat(nanos).as("one nano-dollar of 7 per hour is never free").isEqualTo(7);
	}

	@Test
	void whenOneCallChargesTheSameBucketTwiceThenBothChargesCount() {
		RateLimit limit = tokens("user-tph", ScopeType.USER, 1000, HOUR);

		RateLimitDecision answer = store()
			.acquire(List.of(charge(limit, "alice", 600, 0), charge(limit, "alice", 600, 0)), Duration.ZERO);

		assertThat(answer).isInstanceOfSatisfying(RateLimitDecision.Refused.class,
				(refused) -> assertThat(refused.index()).isEqualTo(1));
		assertThat(remaining(limit, "alice", RateDimension.TOKENS)).isEqualTo(1000);
	}

	@Test
	void whenKeysOrLimitsDifferThenTheirBucketsAreIndependent() {
		RateLimit user = tokens("user-tph", ScopeType.USER, 100, HOUR);
		RateLimit other = tokens("user-tph-2", ScopeType.USER, 100, HOUR);
		String[] keys = { "alice", "alice:x", "{alice}", "", "élise", "a".repeat(500) };
		for (String key : keys) {
			assertThat(store().acquire(List.of(charge(user, key, 100, 0)), Duration.ZERO)).as(key)
				.isInstanceOf(RateLimitDecision.Admitted.class);
		}

		for (String key : keys) {
			assertThat(remaining(user, key, RateDimension.TOKENS)).as(key).isZero();
		}
		assertThat(remaining(user, "bob", RateDimension.TOKENS)).isEqualTo(100);
		assertThat(remaining(other, "alice", RateDimension.TOKENS)).isEqualTo(100);
		admitted(store().acquire(List.of(charge(other, "alice", 100, 0)), Duration.ZERO));
	}

	@Test
	void whenThereAreNoChargesThenTheCallIsAdmittedAtOnce() {
		RateLimitDecision answer = store().acquire(List.of(), Duration.ZERO);

		assertThat(admitted(answer).delay()).isZero();
		store().adjust(List.of(), 1, 1, 1);
	}

	/**
	 * Race threads for one limit, each taking one charge, and check that exactly the
	 * charges that fit were admitted: at least the whole limit (an idle bucket holds it),
	 * at most that plus what flowed back during the race, by the store's clock.
	 */
	void assertRaceAdmitsOnlyTheLimit(RateLimit limit, RateLimitCharge charge, int fit) throws Exception {
		long start = storeMicros();

		int admitted = race(THREADS, (thread) -> store(), List.of(charge));

		long elapsed = storeMicros() - start;
		RateDimension dimension = (limit.requests() != null) ? RateDimension.REQUESTS
				: (limit.tokens() != null) ? RateDimension.TOKENS : RateDimension.COST;
		long perCall = charge.amount(dimension);
		assertThat(admitted).isGreaterThanOrEqualTo(fit)
			.isLessThanOrEqualTo(fit + (int) (flowedBack(limit, dimension, elapsed) / perCall));
		assertThat(remaining(limit, charge.key(), dimension)).isLessThan(perCall);
	}

	/**
	 * Let threads acquire the same charges at once, without waiting.
	 * @return how many were admitted
	 */
	static int race(int threads, IntFunction<RateLimitStore> storeOfThread, List<RateLimitCharge> charges)
			throws Exception {
		return TestThreads.race(threads, (thread) -> {
			RateLimitStore store = storeOfThread.apply(thread);
			return () -> store.acquire(charges, Duration.ZERO) instanceof RateLimitDecision.Admitted;
		});
	}

	/** What flows back into a bucket in a time, rounded up. */
	static long flowedBack(RateLimit limit, RateDimension dimension, long micros) {
		long capacity = limit.capacity(dimension);
		long period = Gcra.periodMicros(limit);
		return BigInteger.valueOf(micros)
			.multiply(BigInteger.valueOf(capacity))
			.add(BigInteger.valueOf(period - 1))
			.divide(BigInteger.valueOf(period))
			.longValueExact();
	}

	long remaining(RateLimit limit, String key, RateDimension dimension) {
		return store().state(limit, key)
			.stream()
			.filter((state) -> state.dimension() == dimension)
			.findFirst()
			.orElseThrow()
			.remaining();
	}

	static RateLimitDecision.Admitted admitted(RateLimitDecision decision) {
		assertThat(decision).isInstanceOf(RateLimitDecision.Admitted.class);
		return (RateLimitDecision.Admitted) decision;
	}

	static RateLimitState single(List<RateLimitState> states) {
		assertThat(states).hasSize(1);
		return states.get(0);
	}

	static RateLimit requests(String name, ScopeType scope, long requests, Duration period) {
		return new RateLimit(name, scope, period, requests, null, null, Set.of());
	}

	static RateLimit tokens(String name, ScopeType scope, long tokens, Duration period) {
		return new RateLimit(name, scope, period, null, tokens, null, Set.of());
	}

	static RateLimitCharge charge(RateLimit limit, String key, long tokens, long costNanos) {
		return new RateLimitCharge(limit, key, tokens, costNanos);
	}

}
