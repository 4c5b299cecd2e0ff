package io.github.airesource.core.ratelimit;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract against the memory store, on a clock the tests move, plus what only memory
 * has: its bound on keys.
 */
class InMemoryRateLimitStoreTests extends RateLimitStoreContractTests {

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryRateLimitStore store = new InMemoryRateLimitStore(this.clock, 1000);

	@Override
	protected RateLimitStore store() {
		return this.store;
	}

	@Override
	protected void passTime(Duration duration) {
		this.clock.advance(duration);
	}

	@Override
	protected long storeMicros() {
		return Gcra.nowMicros(this.clock);
	}

	@Override
	protected Duration shortPeriod() {
		return Duration.ofMinutes(1);
	}

	@Test
	void whenTheWholeLimitIsSpentThenHalfAPeriodLaterExactlyHalfFits() {
		RateLimit limit = requests("global-rph", ScopeType.GLOBAL, 10, HOUR);
		List<RateLimitCharge> one = List.of(charge(limit, "global", 0, 0));
		for (int i = 0; i < 10; i++) {
			admitted(this.store.acquire(one, Duration.ZERO));
		}

		this.clock.advance(HOUR.dividedBy(2));

		for (int i = 0; i < 5; i++) {
			admitted(this.store.acquire(one, Duration.ZERO));
		}
		assertThat(this.store.acquire(one, Duration.ZERO))
			.isEqualTo(new RateLimitDecision.Refused(0, RateDimension.REQUESTS, HOUR.dividedBy(10)));
	}

	@Test
	void whenTheBucketOfAnAdmissionExpiredAndANewOneTookItsPlaceThenTheSettlementChargesTheNewOne() {
		RateLimit limit = requests("user-rph", ScopeType.USER, 10, HOUR);
		List<RateLimitCharge> one = List.of(charge(limit, "alice", 0, 0));
		RateLimitDecision.Admitted early = admitted(this.store.acquire(one, Duration.ZERO));

		// Full again and past the cache's grace: the next lookup makes a new bucket.
		this.clock.advance(HOUR.multipliedBy(2));
		admitted(this.store.acquire(one, Duration.ZERO));
		this.store.adjust(early, one, 1, 0, 0);

		assertThat(single(this.store.state(limit, "alice")).remaining())
			.as("the late overrun lands on the bucket the cache holds")
			.isEqualTo(8);
	}

	@Test
	void whenTheBucketOfAnAdmissionWasEvictedThenTheSettlementChargesTheBucketTheCacheHolds() {
		InMemoryRateLimitStore small = new InMemoryRateLimitStore(this.clock, 1);
		RateLimit limit = requests("user-rph", ScopeType.USER, 10, HOUR);
		List<RateLimitCharge> alice = List.of(charge(limit, "alice", 0, 0));
		RateLimitDecision.Admitted early = admitted(small.acquire(alice, Duration.ZERO));
		for (int i = 0; i < 50; i++) {
			small.acquire(List.of(charge(limit, "user-" + i, 0, 0)), Duration.ZERO);
		}
		long before = single(small.state(limit, "alice")).remaining();

		small.adjust(early, alice, 1, 0, 0);

		assertThat(single(small.state(limit, "alice")).remaining()).isEqualTo(before - 1);
	}

	@Test
	void whenABucketIsFullAgainThenForgettingItChangesNothing() {
		RateLimit limit = requests("user-rph", ScopeType.USER, 10, HOUR);
		List<RateLimitCharge> one = List.of(charge(limit, "alice", 0, 0));
		for (int i = 0; i < 10; i++) {
			admitted(this.store.acquire(one, Duration.ZERO));
		}
		admitted(this.store.acquire(one, HOUR));

		// A period later the bucket would be full without the delayed call; other keys'
		// lookups run the cache's expiry.
		this.clock.advance(HOUR);
		this.store.acquire(List.of(charge(limit, "bob", 0, 0)), Duration.ZERO);

		assertThat(single(this.store.state(limit, "alice")).remaining())
			.as("not forgotten while the delayed call's share is still flowing back")
			.isEqualTo(9);
		this.clock.advance(HOUR.dividedBy(10));
		assertThat(single(this.store.state(limit, "alice")).remaining()).isEqualTo(10);
	}

	@Test
	void whenMoreKeysThanTheBoundAreInUseThenTheBucketOfAGlobalLimitIsNeverEvicted() {
		InMemoryRateLimitStore small = new InMemoryRateLimitStore(this.clock, 1);
		RateLimit global = requests("global-rph", ScopeType.GLOBAL, 10, HOUR);
		RateLimit perUser = requests("user-rph", ScopeType.USER, 10, HOUR);
		List<RateLimitCharge> one = List.of(charge(global, "global", 0, 0));
		for (int i = 0; i < 10; i++) {
			admitted(small.acquire(one, Duration.ZERO));
		}

		for (int i = 0; i < 50; i++) {
			admitted(small.acquire(List.of(charge(perUser, "user-" + i, 0, 0)), Duration.ZERO));
		}

		assertThat(small.acquire(one, Duration.ZERO)).as("the global limit is still spent")
			.isEqualTo(new RateLimitDecision.Refused(0, RateDimension.REQUESTS, HOUR.dividedBy(10)));
		assertThat(single(small.state(global, "global")).remaining()).isZero();
	}

	@Test
	void whenALimitIsReplacedByAnotherOfTheSameNameThenTheNewOneChargesTheSameBucket() {
		RateLimit before = requests("global-rph", ScopeType.GLOBAL, 10, HOUR);
		RateLimit after = requests("global-rph", ScopeType.GLOBAL, 10, HOUR);
		RateLimit perUser = requests("user-rph", ScopeType.USER, 10, HOUR);
		for (int i = 0; i < 10; i++) {
			admitted(this.store.acquire(List.of(charge(before, "global", 0, 0), charge(perUser, "alice", 0, 0)),
					Duration.ZERO));
		}

		assertThat(this.store.acquire(List.of(charge(after, "global", 0, 0)), Duration.ZERO))
			.isInstanceOf(RateLimitDecision.Refused.class);
		assertThat(this.store.acquire(List.of(charge(requests("user-rph", ScopeType.USER, 10, HOUR), "alice", 0, 0)),
				Duration.ZERO))
			.isInstanceOf(RateLimitDecision.Refused.class);
		assertThat(single(this.store.state(after, "global")).remaining()).isZero();
	}

	@Test
	void whenAGlobalLimitIsChargedForAnotherKeyThenThatKeyHasABucketOfItsOwn() {
		RateLimit global = requests("global-rph", ScopeType.GLOBAL, 10, HOUR);
		for (int i = 0; i < 10; i++) {
			admitted(this.store.acquire(List.of(charge(global, "global", 0, 0)), Duration.ZERO));
		}

		admitted(this.store.acquire(List.of(charge(global, "other", 0, 0)), Duration.ZERO));

		assertThat(single(this.store.state(global, "other")).remaining()).isEqualTo(9);
		assertThat(single(this.store.state(global, "global")).remaining()).isZero();
	}

	@Test
	void whenThereAreMoreGlobalLimitsThanAreKeptApartThenTheOthersAreKeptLikeAnyKey() {
		int limits = InMemoryRateLimitStore.MOST_GLOBAL_BUCKETS + 10;
		for (int i = 0; i < limits; i++) {
			RateLimit limit = requests("global-" + i, ScopeType.GLOBAL, 1, HOUR);
			admitted(this.store.acquire(List.of(charge(limit, "global", 0, 0)), Duration.ZERO));
		}

		for (int i = 0; i < limits; i++) {
			RateLimit limit = requests("global-" + i, ScopeType.GLOBAL, 1, HOUR);
			assertThat(this.store.acquire(List.of(charge(limit, "global", 0, 0)), Duration.ZERO))
				.as("limit %d is spent", i)
				.isInstanceOf(RateLimitDecision.Refused.class);
		}
	}

	@Test
	void whenAnAdmissionIsSettledWithAnOverrunLongAfterItThenTheOverrunIsChargedFromNow() {
		RateLimit limit = tokens("global-tph", ScopeType.GLOBAL, 100, HOUR);
		List<RateLimitCharge> ten = List.of(charge(limit, "global", 10, 0));
		RateLimitDecision.Admitted admitted = admitted(this.store.acquire(ten, Duration.ZERO));

		this.clock.advance(HOUR);
		this.store.adjust(admitted, ten, 0, 50, 0);

		assertThat(single(this.store.state(limit, "global")).remaining()).isEqualTo(50);
	}

	@Test
	void whenAnAdmissionIsSettledWithARefundLaterThenWhatFlowedBackMeanwhileCountsAndNoMore() {
		RateLimit limit = tokens("global-tph", ScopeType.GLOBAL, 100, HOUR);
		List<RateLimitCharge> sixty = List.of(charge(limit, "global", 60, 0));
		RateLimitDecision.Admitted admitted = admitted(this.store.acquire(sixty, Duration.ZERO));
		this.clock.advance(Duration.ofSeconds(1000));
		assertThat(single(this.store.state(limit, "global")).remaining()).isEqualTo(67);

		this.store.adjust(admitted, sixty, 0, -20, 0);

		assertThat(single(this.store.state(limit, "global")).remaining()).isEqualTo(87);
		this.clock.advance(HOUR);
		this.store.adjust(admitted, sixty, 0, -40, 0);
		assertThat(single(this.store.state(limit, "global")).remaining()).as("never fuller than full").isEqualTo(100);
		admitted(this.store.acquire(List.of(charge(limit, "global", 100, 0)), Duration.ZERO));
		assertThat(this.store.acquire(List.of(charge(limit, "global", 1, 0)), Duration.ZERO))
			.isInstanceOf(RateLimitDecision.Refused.class);
	}

}
