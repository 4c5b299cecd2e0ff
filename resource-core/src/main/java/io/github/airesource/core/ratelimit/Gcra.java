package io.github.airesource.core.ratelimit;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * The GCRA arithmetic every {@link RateLimitStore} shares, so that the memory and the
 * Redis store give the same answers to the last microsecond.
 *
 * <p>
 * <strong>Time</strong> is in microseconds since the epoch. Not nanoseconds: the Redis
 * store computes in Lua, whose numbers are doubles, exact only up to 2<sup>53</sup>;
 * epoch microseconds (about 2<sup>51</sup>) fit, epoch nanoseconds do not.
 *
 * <p>
 * <strong>Exact intervals.</strong> An amount {@code n} of a limit of capacity {@code C}
 * per period {@code P} takes {@code n * P / C} to flow back, rarely a whole number of
 * microseconds (a limit of 3 per second: 333,333.3 each). Rounding each charge up would
 * make the whole limit not fit at once (3 × 333,334 is more than a second), rounding down
 * would let tiny charges through for free. So a bucket's theoretical arrival time is
 * {@code micros + fraction / denominator}, with the denominator the capacity (at most
 * 2<sup>52</sup>, so that sums of fractions stay exact in Lua; only larger capacities
 * round the fraction, up for a charge and toward zero for a refund). An {@link Interval}
 * is computed here, in Java, exactly (the product of an amount and a period leaves
 * 2<sup>53</sup>); the stores only add and compare, the same way in Java and in Lua:
 * <ul>
 * <li>a bucket {@code (t, f)} is full when {@code t < now}, or {@code t == now} and
 * {@code f == 0}; a charge then starts from {@code (now, 0)};</li>
 * <li>adding {@code (q, g)} gives {@code (t + q, f + g)}, carrying one microsecond when
 * {@code f + g >= denominator};</li>
 * <li>the wait of a charge is {@code t - P - now}, plus one when {@code f > 0}: the exact
 * wait rounded up, so a caller that parks for it never starts early;</li>
 * <li>a bucket never goes further ahead of now than {@link #MAX_AHEAD_MICROS} (about 35
 * years of debt), so that times stay exact in Lua whatever overrun is reported; a refund
 * never takes it below full.</li>
 * </ul>
 * What could be spent at once is rounded down.
 */
public final class Gcra {

	/** How far ahead of now a bucket's theoretical arrival time may go. */
	public static final long MAX_AHEAD_MICROS = 1L << 50;

	/** The largest denominator of a fraction: sums of two stay exact in Lua. */
	public static final long MAX_DENOMINATOR = 1L << 52;

	/** Not values() per call, which clones the array. */
	private static final RateDimension[] DIMENSIONS = RateDimension.values();

	private Gcra() {
	}

	/**
	 * Return the current time of a clock in epoch microseconds.
	 * @param clock the clock
	 * @return the time
	 */
	public static long nowMicros(Clock clock) {
		Instant now = clock.instant();
		return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
	}

	/**
	 * Return a duration in microseconds, rounded down, at most {@link #MAX_AHEAD_MICROS}.
	 * @param duration the duration, not negative
	 * @return the microseconds
	 */
	public static long toMicros(Duration duration) {
		Assert.isTrue(duration != null && !duration.isNegative(), "duration must not be negative");
		if (duration.getSeconds() >= MAX_AHEAD_MICROS / 1_000_000L) {
			return MAX_AHEAD_MICROS;
		}
		return duration.getSeconds() * 1_000_000L + duration.getNano() / 1_000;
	}

	/**
	 * Return a wait in microseconds as a duration.
	 * @param micros the wait
	 * @return the duration
	 */
	public static Duration duration(long micros) {
		// No wait, as nearly every call: the constant, not Duration.of's checks.
		return (micros == 0) ? Duration.ZERO : Duration.of(micros, ChronoUnit.MICROS);
	}

	/**
	 * Return a limit's period in microseconds.
	 * @param limit the limit
	 * @return the period
	 */
	public static long periodMicros(RateLimit limit) {
		long period = toMicros(limit.period());
		if (period >= MAX_AHEAD_MICROS) {
			// Not Assert with a message supplier: this runs several times per charge.
			throw new IllegalArgumentException("rate limit '" + limit.name() + "' has too long a period");
		}
		return period;
	}

	/**
	 * Return the denominator of the fractions of a bucket's time: its capacity, at most
	 * {@link #MAX_DENOMINATOR}.
	 * @param limit the limit
	 * @param dimension a dimension the limit counts
	 * @return the denominator
	 */
	public static long denominator(RateLimit limit, RateDimension dimension) {
		return Math.min(capacity(limit, dimension), MAX_DENOMINATOR);
	}

	/**
	 * Return how long an amount of one dimension takes to flow back into a bucket,
	 * {@code amount * period / capacity}.
	 * @param limit the limit
	 * @param dimension a dimension the limit counts
	 * @param amount the amount, negative for a refund
	 * @return the interval; {@code (0, 0)} only for an amount of 0
	 */
	public static Interval interval(RateLimit limit, RateDimension dimension, long amount) {
		long capacity = capacity(limit, dimension);
		return interval(amount, periodMicros(limit), capacity, Math.min(capacity, MAX_DENOMINATOR));
	}

	/**
	 * Return {@code amount * period / capacity} as an interval, from a limit's numbers
	 * computed once: the in-memory store keeps them per limit.
	 * @param amount the amount, negative for a refund
	 * @param period the limit's {@link #periodMicros period}
	 * @param capacity the dimension's capacity
	 * @param denominator its {@link #denominator}
	 * @return the interval
	 */
	static Interval interval(long amount, long period, long capacity, long denominator) {
		long high = Math.multiplyHigh(amount, period);
		long low = amount * period;
		if (denominator == capacity && ((high == 0 && low >= 0) || (high == -1 && low < 0))) {
			// The usual case, without BigInteger: the product fits in a long.
			long micros = Math.floorDiv(low, capacity);
			if (micros >= MAX_AHEAD_MICROS || micros < -MAX_AHEAD_MICROS) {
				return new Interval((micros > 0) ? MAX_AHEAD_MICROS : -MAX_AHEAD_MICROS, 0);
			}
			// The floor modulus without a second division.
			return new Interval(micros, low - micros * capacity);
		}
		return exactInterval(amount, period, capacity, denominator);
	}

	/**
	 * The interval with {@code BigInteger}: apart, so that the usual case stays small
	 * enough to be inlined and its {@link Interval} never allocated.
	 */
	private static Interval exactInterval(long amount, long period, long capacity, long denominator) {
		BigInteger exact = BigInteger.valueOf(amount).multiply(BigInteger.valueOf(period));
		BigInteger[] division = floorDivMod(exact, BigInteger.valueOf(capacity));
		if (division[0].compareTo(BigInteger.valueOf(MAX_AHEAD_MICROS)) >= 0) {
			return new Interval(MAX_AHEAD_MICROS, 0);
		}
		if (division[0].compareTo(BigInteger.valueOf(-MAX_AHEAD_MICROS)) < 0) {
			return new Interval(-MAX_AHEAD_MICROS, 0);
		}
		long micros = division[0].longValueExact();
		long remainder = division[1].longValueExact();
		// Rounded up (toward +infinity) only when the capacity exceeds the denominator.
		long fraction = (denominator == capacity) ? remainder : ceilDiv(
				BigInteger.valueOf(remainder).multiply(BigInteger.valueOf(denominator)), BigInteger.valueOf(capacity));
		if (fraction >= denominator) {
			return new Interval(micros + 1, 0);
		}
		return new Interval(micros, fraction);
	}

	/**
	 * Return the state of one bucket.
	 * @param limit the limit
	 * @param key the scope key
	 * @param dimension a dimension the limit counts
	 * @param micros the bucket's theoretical arrival time, whole microseconds (0 for a
	 * bucket never charged)
	 * @param fraction its fraction of a microsecond, in units of the {@link #denominator}
	 * @param now the store's time
	 * @return the state
	 */
	public static RateLimitState state(RateLimit limit, String key, RateDimension dimension, long micros, long fraction,
			long now) {
		long capacity = capacity(limit, dimension);
		long denominator = denominator(limit, dimension);
		long period = periodMicros(limit);
		boolean full = micros < now || (micros == now && fraction == 0);
		long aheadMicros = full ? 0 : micros - now;
		long aheadFraction = full ? 0 : fraction;
		long remaining = 0;
		if (aheadMicros < period) {
			// The largest n with n * period / capacity <= period - ahead, exactly:
			// floor(((period - aheadMicros) * denominator - aheadFraction) * capacity
			// / (period * denominator)).
			long span = period - aheadMicros;
			long free = span * denominator;
			if (denominator == capacity && Math.multiplyHigh(span, denominator) == 0 && free >= 0) {
				// The usual case, without BigInteger (every admitted call reports its
				// states): with the capacity as denominator the formula is
				// floor(free / period), and free is positive.
				remaining = (free - aheadFraction) / period;
			}
			else {
				remaining = exactRemaining(span, denominator, aheadFraction, capacity, period);
			}
		}
		long resetAfter = aheadMicros + ((aheadFraction > 0) ? 1 : 0);
		return new RateLimitState(limit.name(), key, dimension, capacity, Math.min(remaining, capacity),
				duration(resetAfter), limit.period());
	}

	private static long exactRemaining(long span, long denominator, long aheadFraction, long capacity, long period) {
		BigInteger free = BigInteger.valueOf(span)
			.multiply(BigInteger.valueOf(denominator))
			.subtract(BigInteger.valueOf(aheadFraction));
		return free.multiply(BigInteger.valueOf(capacity))
			.divide(BigInteger.valueOf(period).multiply(BigInteger.valueOf(denominator)))
			.longValueExact();
	}

	/**
	 * Return the first charge, in charge and dimension order, that asks for more than its
	 * limit's whole capacity, which no wait can make fit.
	 * @param charges the charges of a call
	 * @return the refusal, or {@code null} when every charge could fit some time
	 */
	@Nullable
	public static RateLimitDecision.Refused neverFits(List<RateLimitCharge> charges) {
		for (int i = 0; i < charges.size(); i++) {
			RateLimitCharge charge = charges.get(i);
			for (RateDimension dimension : DIMENSIONS) {
				Long capacity = charge.limit().capacity(dimension);
				if (capacity != null && charge.amount(dimension) > capacity) {
					return new RateLimitDecision.Refused(i, dimension, null);
				}
			}
		}
		return null;
	}

	private static long capacity(RateLimit limit, RateDimension dimension) {
		Long capacity = limit.capacity(dimension);
		if (capacity == null) {
			throw new IllegalArgumentException("rate limit '" + limit.name() + "' does not count " + dimension.value());
		}
		return capacity;
	}

	private static BigInteger[] floorDivMod(BigInteger dividend, BigInteger divisor) {
		BigInteger[] division = dividend.divideAndRemainder(divisor);
		if (division[1].signum() < 0) {
			division[0] = division[0].subtract(BigInteger.ONE);
			division[1] = division[1].add(divisor);
		}
		return division;
	}

	private static long ceilDiv(BigInteger dividend, BigInteger divisor) {
		BigInteger[] division = dividend.divideAndRemainder(divisor);
		return ((division[1].signum() > 0) ? division[0].add(BigInteger.ONE) : division[0]).longValueExact();
	}

	/**
	 * A time to add to a bucket: {@code micros + fraction / denominator} microseconds.
	 *
	 * @param micros whole microseconds, negative for a refund
	 * @param fraction the fraction, {@code 0 <= fraction < denominator}
	 */
	public record Interval(long micros, long fraction) {

		/**
		 * Whether the interval is nothing at all.
		 * @return whether both parts are zero
		 */
		public boolean isZero() {
			return this.micros == 0 && this.fraction == 0;
		}

	}

}
