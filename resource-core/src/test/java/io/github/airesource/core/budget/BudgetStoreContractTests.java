package io.github.airesource.core.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.testsupport.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link BudgetStore} contract, run against every store. Time passes through
 * {@link #passTime(Duration)}: an injected clock for the memory store, real time (Redis
 * server time) for Redis, so periods and leases here are short.
 */
abstract class BudgetStoreContractTests {

	/** A period long enough that no test crosses a window boundary by accident. */
	static final Duration LONG = Duration.ofDays(1);

	static final Duration LEASE = Duration.ofMinutes(5);

	/**
	 * Return the store under test; each test gets a fresh one with no counters.
	 * @return the store
	 */
	protected abstract BudgetStore store();

	/**
	 * Let time pass for the store: its windows and leases see it.
	 * @param duration how long
	 */
	protected abstract void passTime(Duration duration);

	/**
	 * Return a period short enough to see a rollover within a test, and aligned so that
	 * the test starts at the beginning of a window.
	 * @return the period
	 */
	protected abstract Duration shortPeriod();

	/**
	 * Wait until a window of the given period has just begun, so that a test has most of
	 * a window before the next rollover.
	 * @param period the period
	 */
	protected abstract void awaitWindowStart(Duration period);

	/**
	 * Return a lease short enough to see it expire within a test.
	 * @return the lease
	 */
	protected abstract Duration shortLease();

	@Test
	void whenChargesFitThenAllAreReservedAndVisibleAsReserved() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 1000);
		BudgetLimit global = cost("global-daily", ScopeType.GLOBAL, "1.00");

		BudgetAdmission answer = store().reserve("r1", List.of(charge(user, "alice", 400, 0), new BudgetCharge(global,
				"global", global.amount(), 400, BudgetMoney.toNanosCeiling(new BigDecimal("0.30")))), LEASE, false);

		assertThat(answer).isInstanceOf(BudgetAdmission.Admitted.class);
		assertThat(store().usage(user, "alice").reservedTokens()).isEqualTo(400);
		assertThat(store().usage(user, "alice").usedTokens()).isZero();
		assertThat(store().usage(global, "global").reservedCostNanos()).isEqualTo(300_000_000L);
	}

	@Test
	void whenOneChargeDoesNotFitThenNothingIsReserved() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 1000);
		BudgetLimit tenant = tokens("tenant-daily", ScopeType.TENANT, 500);

		BudgetAdmission answer = store().reserve("r1",
				List.of(charge(user, "alice", 600, 0), charge(tenant, "acme", 600, 0)), LEASE, false);

		assertThat(answer).isInstanceOfSatisfying(BudgetAdmission.Refused.class, (refused) -> {
			assertThat(refused.index()).isEqualTo(1);
			assertThat(refused.usage().resetsAt()).isAfter(refused.usage().windowStart());
		});
		assertThat(store().usage(user, "alice").reservedTokens()).isZero();
		assertThat(store().usage(tenant, "acme").reservedTokens()).isZero();
	}

	@Test
	void whenAChargeFillsTheBudgetExactlyThenItFitsAndTheNextTokenDoesNot() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 1000);

		assertThat(store().reserve("r1", List.of(charge(user, "alice", 1000, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Admitted.class);
		assertThat(store().reserve("r2", List.of(charge(user, "alice", 1, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Refused.class);
		assertThat(store().reserve("r3", List.of(charge(user, "bob", 1000, 0)), LEASE, false))
			.as("another key has its own budget")
			.isInstanceOf(BudgetAdmission.Admitted.class);
	}

	@Test
	void whenSettledThenTheReservationBecomesTheActualUseOnceEvenIfSettledTwice() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		List<BudgetCharge> charges = List.of(charge(user, "alice", 4000, 0));
		store().reserve("r1", charges, LEASE, false);

		store().settle("r1", charges, 100, 0, LEASE);
		store().settle("r1", charges, 100, 0, LEASE);

		BudgetUsage usage = store().usage(user, "alice");
		assertThat(usage.usedTokens()).isEqualTo(100);
		assertThat(usage.reservedTokens()).isZero();
	}

	@Test
	void whenTheCallUsedMoreThanReservedThenTheOverrunIsCharged() {
		BudgetLimit user = cost("user-daily", ScopeType.USER, "1.00");
		List<BudgetCharge> charges = List.of(charge(user, "alice", 100, 1_000));
		store().reserve("r1", charges, LEASE, false);

		store().settle("r1", charges, 250, 2_500, LEASE);

		assertThat(store().usage(user, "alice").usedCostNanos()).isEqualTo(2_500);
		assertThat(store().usage(user, "alice").usedTokens()).isEqualTo(250);
		assertThat(store().usage(user, "alice").reservedCostNanos()).isZero();
	}

	@Test
	void whenACallFailsBeforeAnyTokenThenItsReservationIsRefundedToZero() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 5000);
		List<BudgetCharge> charges = List.of(charge(user, "alice", 4000, 0));
		store().reserve("r1", charges, LEASE, false);

		store().settle("r1", charges, 0, 0, LEASE);

		BudgetUsage usage = store().usage(user, "alice");
		assertThat(usage.usedTokens()).isZero();
		assertThat(usage.reservedTokens()).isZero();
		assertThat(store().reserve("r2", List.of(charge(user, "alice", 5000, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Admitted.class);
	}

	@Test
	void whenAReservationIsNeverSettledThenItsLeaseFreesIt() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 1000);
		Duration lease = shortLease();
		store().reserve("r1", List.of(charge(user, "alice", 1000, 0)), lease, false);
		assertThat(store().reserve("r2", List.of(charge(user, "alice", 1, 0)), lease, false))
			.isInstanceOf(BudgetAdmission.Refused.class);

		passTime(lease.plusMillis(100));

		assertThat(store().usage(user, "alice").reservedTokens()).isZero();
		assertThat(store().reserve("r3", List.of(charge(user, "alice", 1000, 0)), lease, false))
			.isInstanceOf(BudgetAdmission.Admitted.class);
	}

	@Test
	void whenAnExpiredReservationIsSettledLateThenTheActualUseIsChargedOnce() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		Duration lease = shortLease();
		List<BudgetCharge> charges = List.of(charge(user, "alice", 1000, 0));
		store().reserve("r1", charges, lease, false);
		passTime(lease.plusMillis(100));

		store().settle("r1", charges, 300, 0, lease);
		store().settle("r1", charges, 300, 0, lease);

		assertThat(store().usage(user, "alice").usedTokens()).isEqualTo(300);
		assertThat(store().usage(user, "alice").reservedTokens()).isZero();
	}

	@Test
	void whenTheWindowRollsOverThenUseStartsAgainButReservationsInFlightStay() {
		Duration period = shortPeriod();
		BudgetLimit user = limit("user-short", ScopeType.USER, period, new BudgetAmount(1000L, null));
		awaitWindowStart(period);
		List<BudgetCharge> settled = List.of(charge(user, "alice", 600, 0));
		store().reserve("r1", settled, LEASE, false);
		store().settle("r1", settled, 600, 0, LEASE);
		store().reserve("r2", List.of(charge(user, "alice", 300, 0)), LEASE, false);
		assertThat(store().reserve("r3", List.of(charge(user, "alice", 200, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Refused.class);

		passTime(period);

		BudgetUsage next = store().usage(user, "alice");
		assertThat(next.usedTokens()).isZero();
		assertThat(next.reservedTokens()).isEqualTo(300);
		assertThat(store().reserve("r4", List.of(charge(user, "alice", 700, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Admitted.class);
	}

	@Test
	void whenResetThenTheKeysUseIsForgottenAndItsReservationsStay() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 1000);
		List<BudgetCharge> charges = List.of(charge(user, "alice", 800, 0));
		store().reserve("r1", charges, LEASE, false);
		store().settle("r1", charges, 800, 0, LEASE);
		store().reserve("r2", List.of(charge(user, "alice", 100, 0)), LEASE, false);

		store().reset(user, "alice");

		BudgetUsage usage = store().usage(user, "alice");
		assertThat(usage.usedTokens()).isZero();
		assertThat(usage.reservedTokens()).isEqualTo(100);
		assertThat(store().reserve("r3", List.of(charge(user, "alice", 900, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Admitted.class);
	}

	@Test
	void whenGrantedThenTheKeyMayUseMoreThisWindowOnly() {
		Duration period = shortPeriod();
		BudgetLimit user = limit("user-short", ScopeType.USER, period, new BudgetAmount(1000L, null));
		awaitWindowStart(period);
		List<BudgetCharge> charges = List.of(charge(user, "alice", 1000, 0));
		store().reserve("r1", charges, LEASE, false);
		store().settle("r1", charges, 1000, 0, LEASE);

		store().grant(user, "alice", 500, 0);

		assertThat(store().usage(user, "alice").extraTokens()).isEqualTo(500);
		assertThat(store().reserve("r2", List.of(charge(user, "alice", 500, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Admitted.class);
		passTime(period);
		assertThat(store().usage(user, "alice").extraTokens()).isZero();
	}

	@Test
	void whenFallbackAtIsReachedThenTheStoreAsksToDegradeWithoutReserving() {
		BudgetLimit user = new BudgetLimit("user-daily", ScopeType.USER, LONG, new BudgetAmount(1000L, null), Set.of(),
				ExhaustedAction.REJECT, "gpt-4o-mini", 0.8, Map.of());
		List<BudgetCharge> first = List.of(charge(user, "alice", 795, 0));
		store().reserve("r1", first, LEASE, true);
		store().settle("r1", first, 795, 0, LEASE);
		assertThat(store().reserve("r2", List.of(charge(user, "alice", 5, 0)), LEASE, true))
			.isInstanceOf(BudgetAdmission.Admitted.class);

		BudgetAdmission answer = store().reserve("r3", List.of(charge(user, "alice", 5, 0)), LEASE, true);

		assertThat(answer).isInstanceOfSatisfying(BudgetAdmission.Degrade.class,
				(degrade) -> assertThat(degrade.usage().usedTokens() + degrade.usage().reservedTokens())
					.isEqualTo(800));
		assertThat(store().usage(user, "alice").reservedTokens()).isEqualTo(5);
		assertThat(store().reserve("r4", List.of(charge(user, "alice", 5, 0)), LEASE, false))
			.as("without the check, the call still fits")
			.isInstanceOf(BudgetAdmission.Admitted.class);
	}

	@Test
	void whenKeysAreAskedForThenTheMostUsedComeFirst() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		String[] users = { "amy", "bob", "cy" };
		int[] used = { 50, 700, 300 };
		for (int i = 0; i < users.length; i++) {
			List<BudgetCharge> charges = List.of(charge(user, users[i], used[i], 0));
			store().reserve("r" + i, charges, LEASE, false);
			store().settle("r" + i, charges, used[i], 0, LEASE);
		}

		assertThat(store().top(user, 2)).extracting(BudgetStore.KeyUsage::key).containsExactly("bob", "cy");
		assertThat(store().top(user, 10)).extracting((key) -> key.usage().usedTokens())
			.containsExactly(700L, 300L, 50L);
	}

	@Test
	void whenKeysAreHostileThenEachHasItsOwnBudget() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 100);
		String[] keys = { "alice", "alice:x", "{alice}", "", "élise", "a".repeat(500) };
		for (String key : keys) {
			assertThat(store().reserve(UUID.randomUUID().toString(), List.of(charge(user, key, 100, 0)), LEASE, false))
				.as(key)
				.isInstanceOf(BudgetAdmission.Admitted.class);
		}
		for (String key : keys) {
			assertThat(store().usage(user, key).reservedTokens()).as(key).isEqualTo(100);
		}
	}

	@Test
	void whenManyThreadsRaceOneBudgetThenExactlyTheCallsThatFitAreAdmitted() throws Exception {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);

		int admitted = race(64, (thread) -> store(), List.of(charge(user, "alice", 1000, 0)));

		assertThat(admitted).isEqualTo(10);
		assertThat(store().usage(user, "alice").usedTokens()).isEqualTo(10_000);
		assertThat(store().usage(user, "alice").reservedTokens()).isZero();
	}

	/**
	 * Let threads reserve the same charges at once; an admitted call settles, using what
	 * its first charge reserved.
	 * @param threads how many threads, one call each
	 * @param storeOfThread the store (instance) a thread calls
	 * @param charges what each call reserves
	 * @return how many calls were admitted
	 */
	static int race(int threads, IntFunction<BudgetStore> storeOfThread, List<BudgetCharge> charges) throws Exception {
		return TestThreads.race(threads, (thread) -> {
			String id = "r" + thread;
			BudgetStore store = storeOfThread.apply(thread);
			return () -> {
				if (!(store.reserve(id, charges, LEASE, false) instanceof BudgetAdmission.Admitted)) {
					return false;
				}
				store.settle(id, charges, charges.get(0).tokens(), charges.get(0).costNanos(), LEASE);
				return true;
			};
		});
	}

	/**
	 * Return how long it is from a moment to the start of the next window of a period.
	 * @param nowMillis the moment
	 * @param period the period
	 * @return milliseconds to the boundary, at least 1
	 */
	static long millisToNextWindow(long nowMillis, Duration period) {
		long periodMillis = period.toMillis();
		return Math.floorDiv(nowMillis, periodMillis) * periodMillis + periodMillis - nowMillis;
	}

	static BudgetLimit tokens(String name, ScopeType scope, long maxTokens) {
		return limit(name, scope, LONG, new BudgetAmount(maxTokens, null));
	}

	static BudgetLimit cost(String name, ScopeType scope, String maxCost) {
		return limit(name, scope, LONG, new BudgetAmount(null, new BigDecimal(maxCost)));
	}

	static BudgetLimit limit(String name, ScopeType scope, Duration period, BudgetAmount amount) {
		return BudgetLimit.of(name, scope, period, amount);
	}

	static BudgetCharge charge(BudgetLimit limit, String key, long tokens, long costNanos) {
		return new BudgetCharge(limit, key, limit.amountFor(key), tokens, costNanos);
	}

}
