package io.github.airesource.core.ratelimit;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.ScopeType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The arithmetic both stores share, where it leaves the range of a long or a double.
 */
class GcraTests {

	private static final long NOW = 1_767_225_600_000_000L;

	@Test
	void whenThePeriodDoesNotDivideByTheCapacityThenTheIntervalKeepsTheFraction() {
		RateLimit limit = limit(Duration.ofSeconds(1), 3L);

		assertThat(Gcra.interval(limit, RateDimension.TOKENS, 1)).isEqualTo(new Gcra.Interval(333_333, 1));
		assertThat(Gcra.interval(limit, RateDimension.TOKENS, -1)).isEqualTo(new Gcra.Interval(-333_334, 2));
	}

	@Test
	void whenAmountTimesPeriodLeavesALongThenTheIntervalIsStillExact() {
		RateLimit limit = limit(Duration.ofDays(1), 4_000_000_000_000_000L);

		// 3e15 * 86,400,000,000 / 4e15 = 64,800,000,000 exactly; the product is 2.6e26.
		assertThat(Gcra.interval(limit, RateDimension.TOKENS, 3_000_000_000_000_000L))
			.isEqualTo(new Gcra.Interval(64_800_000_000L, 0));
	}

	@Test
	void whenTheCapacityExceedsTheLargestDenominatorThenChargesRoundUpAndRefundsTowardZero() {
		long capacity = Gcra.MAX_DENOMINATOR * 3;
		RateLimit limit = limit(Duration.ofMillis(1), capacity);

		Gcra.Interval charge = Gcra.interval(limit, RateDimension.TOKENS, 1);
		Gcra.Interval refund = Gcra.interval(limit, RateDimension.TOKENS, -1);

		// Exactly 1000 / 3 parts in 2^52 of a microsecond either way.
		assertThat(charge).as("rounded up").isEqualTo(new Gcra.Interval(0, 334));
		assertThat(refund).as("gives back less rather than more than was charged")
			.isEqualTo(new Gcra.Interval(-1, Gcra.MAX_DENOMINATOR - 333));
	}

	@Test
	void whenAnOverrunIsHugeThenTheIntervalIsCappedSoTimesStayExactInLua() {
		RateLimit limit = limit(Duration.ofDays(1), 1L);

		assertThat(Gcra.interval(limit, RateDimension.TOKENS, Long.MAX_VALUE))
			.isEqualTo(new Gcra.Interval(Gcra.MAX_AHEAD_MICROS, 0));
		assertThat(Gcra.interval(limit, RateDimension.TOKENS, -Long.MAX_VALUE))
			.isEqualTo(new Gcra.Interval(-Gcra.MAX_AHEAD_MICROS, 0));
		assertThat((double) (NOW + 2 * Gcra.MAX_AHEAD_MICROS)).as("exact as a double").isLessThan(Math.pow(2, 53));
	}

	@Test
	void whenABucketIsPartlySpentThenRemainingIsTheLargestAmountThatFitsNow() {
		RateLimit limit = limit(Duration.ofSeconds(1), 3L);
		// Two of three taken at NOW: the bucket is full at NOW + 666,666 2/3 us.

		RateLimitState state = Gcra.state(limit, "alice", RateDimension.TOKENS, NOW + 666_666, 2, NOW);

		assertThat(state.remaining()).isEqualTo(1);
		assertThat(state.resetAfter()).isEqualTo(Duration.ofNanos(666_667_000));
		assertThat(Gcra.state(limit, "alice", RateDimension.TOKENS, NOW + 666_667, 0, NOW).remaining())
			.as("a microsecond short of one more")
			.isZero();
	}

	@Test
	void whenRemainingIsComputedWithoutBigIntegerThenItIsTheExactFormula() {
		// The long fast path and the BigInteger path against the formula, on both sides
		// of the range of a long: small and huge capacities, short and long periods.
		Random random = new Random(42);
		long[] capacities = { 1, 3, 7, 1_000, 999_983, 10_000_000_000L, 1_000_000_000_000_000L, Gcra.MAX_DENOMINATOR,
				Gcra.MAX_DENOMINATOR * 3 };
		Duration[] periods = { Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofDays(1) };
		for (long capacity : capacities) {
			for (Duration period : periods) {
				RateLimit limit = limit(period, capacity);
				long periodMicros = Gcra.periodMicros(limit);
				long denominator = Gcra.denominator(limit, RateDimension.TOKENS);
				for (int i = 0; i < 200; i++) {
					long ahead = (i == 0) ? 0 : Math.floorMod(random.nextLong(), periodMicros);
					long fraction = (ahead == 0 && i % 2 == 0) ? 0 : Math.floorMod(random.nextLong(), denominator);
					BigInteger free = BigInteger.valueOf(periodMicros - ahead)
						.multiply(BigInteger.valueOf(denominator))
						.subtract(BigInteger.valueOf((ahead == 0 && fraction == 0) ? 0 : fraction));
					long expected = free.multiply(BigInteger.valueOf(capacity))
						.divide(BigInteger.valueOf(periodMicros).multiply(BigInteger.valueOf(denominator)))
						.min(BigInteger.valueOf(capacity))
						.longValueExact();
					RateLimitState state = Gcra.state(limit, "alice", RateDimension.TOKENS, NOW + ahead, fraction, NOW);
					assertThat(state.remaining())
						.as("capacity %d, period %s, ahead %d + %d/%d", capacity, period, ahead, fraction, denominator)
						.isEqualTo(expected);
				}
			}
		}
	}

	@Test
	void whenAChargeIsLargerThanTheCapacityThenItNeverFits() {
		RateLimit limit = limit(Duration.ofSeconds(1), 3L);

		assertThat(Gcra.neverFits(List.of(new RateLimitCharge(limit, "alice", 4, 0))))
			.isEqualTo(new RateLimitDecision.Refused(0, RateDimension.TOKENS, null));
		assertThat(Gcra.neverFits(List.of(new RateLimitCharge(limit, "alice", 3, 0)))).isNull();
	}

	private static RateLimit limit(Duration period, long tokens) {
		return new RateLimit("limit", ScopeType.USER, period, null, tokens, null, Set.of());
	}

}
