package io.github.airesource.core.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;

import org.springframework.util.Assert;

/**
 * Rate-limit buckets in this instance's memory, for a single instance.
 *
 * <p>
 * Not Resilience4j's {@code RateLimiter}: its permits refresh all at once at the start of
 * each cycle, a fixed window that lets twice the limit through around a cycle boundary,
 * and it counts permits of one size where a call takes tokens and dollars by the
 * thousand. GCRA needs one timestamp per bucket and no refill thread. The arithmetic is
 * {@link Gcra}'s, in microseconds, the same as the Redis store's.
 *
 * <p>
 * One monitor guards every bucket and every access to the cache that holds them, as in
 * the in-memory budget store: a call checks and takes from several buckets at once, and
 * the work under it is arithmetic on a few longs and a cache lookup, never blocking.
 * Cache access is under the monitor too, so that no bucket can be evicted between being
 * looked up and being charged (a charge on an evicted bucket would be lost, and the key
 * would start full again). Buckets are kept per limit and key in a Caffeine cache bounded
 * by {@code maxKeys}; a bucket expires once it is full again, when forgetting it changes
 * nothing. Only when more than {@code maxKeys} keys are in use at once does the bound
 * evict buckets that are not full yet, handing their keys capacity early: size it above
 * the number of keys active within one period.
 */
public final class InMemoryRateLimitStore implements RateLimitStore {

	/** Most keys kept unless configured otherwise. */
	public static final int DEFAULT_MAX_KEYS = 100_000;

	private static final RateDimension[] DIMENSIONS = RateDimension.values();

	private final Clock clock;

	private final Object lock = new Object();

	private final Cache<BucketKey, Buckets> buckets;

	private final Policy<BucketKey, Buckets> policy;

	public InMemoryRateLimitStore(Clock clock) {
		this(clock, DEFAULT_MAX_KEYS);
	}

	public InMemoryRateLimitStore(Clock clock, int maxKeys) {
		Assert.notNull(clock, "clock must not be null");
		Assert.isTrue(maxKeys > 0, "maxKeys must be positive");
		this.clock = clock;
		this.buckets = Caffeine.newBuilder()
			.maximumSize(maxKeys)
			.expireAfter(new UntilFull())
			.ticker(() -> Gcra.nowMicros(clock) * 1_000L)
			// Maintenance on the calling thread, under the store's monitor, not on a pool
			// thread that could evict a bucket while a call charges it.
			.executor(Runnable::run)
			.build();
		this.policy = this.buckets.policy();
	}

	@Override
	public RateLimitDecision acquire(List<RateLimitCharge> charges, Duration maxWait) {
		Assert.notNull(charges, "charges must not be null");
		long maxWaitMicros = Gcra.toMicros(maxWait);
		RateLimitDecision.Refused never = Gcra.neverFits(charges);
		if (never != null) {
			return never;
		}
		synchronized (this.lock) {
			long now = Gcra.nowMicros(this.clock);
			List<Buckets> current = buckets(charges);
			// What each bucket would hold after this call: a bucket charged twice in one
			// call (two charges of one limit and key) must see both.
			Map<Buckets, Buckets> after = new IdentityHashMap<>();
			long longest = 0;
			int longestIndex = -1;
			RateDimension longestDimension = null;
			for (int i = 0; i < charges.size(); i++) {
				RateLimitCharge charge = charges.get(i);
				RateLimit limit = charge.limit();
				Buckets bucket = after.computeIfAbsent(current.get(i), Buckets::copy);
				for (RateDimension dimension : DIMENSIONS) {
					long amount = charge.amount(dimension);
					if (limit.capacity(dimension) == null || amount == 0) {
						continue;
					}
					int at = dimension.ordinal();
					bucket.add(at, Gcra.interval(limit, dimension, amount), Gcra.denominator(limit, dimension), now);
					long wait = bucket.tat[at] - Gcra.periodMicros(limit) - now + ((bucket.fraction[at] > 0) ? 1 : 0);
					if (wait > longest) {
						longest = wait;
						longestIndex = i;
						longestDimension = dimension;
					}
				}
			}
			if (longest > maxWaitMicros) {
				return new RateLimitDecision.Refused(longestIndex, longestDimension, Gcra.duration(longest));
			}
			after.forEach(Buckets::takeFrom);
			keep(charges, current);
			return new RateLimitDecision.Admitted(Gcra.duration(longest), states(charges, current, now));
		}
	}

	@Override
	public void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		Assert.notNull(charges, "charges must not be null");
		long[] amounts = new long[DIMENSIONS.length];
		amounts[RateDimension.REQUESTS.ordinal()] = requests;
		amounts[RateDimension.TOKENS.ordinal()] = tokens;
		amounts[RateDimension.COST.ordinal()] = costNanos;
		synchronized (this.lock) {
			long now = Gcra.nowMicros(this.clock);
			List<Buckets> current = buckets(charges);
			for (int i = 0; i < charges.size(); i++) {
				RateLimit limit = charges.get(i).limit();
				Buckets bucket = current.get(i);
				for (RateDimension dimension : DIMENSIONS) {
					long amount = amounts[dimension.ordinal()];
					if (limit.capacity(dimension) != null && amount != 0) {
						bucket.add(dimension.ordinal(), Gcra.interval(limit, dimension, amount),
								Gcra.denominator(limit, dimension), now);
					}
				}
			}
			keep(charges, current);
		}
	}

	@Override
	public List<RateLimitState> state(RateLimit limit, String key) {
		Assert.notNull(limit, "limit must not be null");
		Assert.notNull(key, "key must not be null");
		List<RateLimitState> states = new ArrayList<>(DIMENSIONS.length);
		synchronized (this.lock) {
			long now = Gcra.nowMicros(this.clock);
			Buckets bucket = this.buckets.getIfPresent(new BucketKey(limit.name(), key));
			for (RateDimension dimension : DIMENSIONS) {
				if (limit.capacity(dimension) != null) {
					int at = dimension.ordinal();
					states.add((bucket != null)
							? Gcra.state(limit, key, dimension, bucket.tat[at], bucket.fraction[at], now)
							: Gcra.state(limit, key, dimension, 0, 0, now));
				}
			}
		}
		return states;
	}

	private List<RateLimitState> states(List<RateLimitCharge> charges, List<Buckets> current, long now) {
		List<RateLimitState> states = new ArrayList<>(charges.size() * 2);
		for (int i = 0; i < charges.size(); i++) {
			RateLimitCharge charge = charges.get(i);
			for (RateDimension dimension : DIMENSIONS) {
				if (charge.limit().capacity(dimension) != null) {
					int at = dimension.ordinal();
					Buckets bucket = current.get(i);
					states.add(Gcra.state(charge.limit(), charge.key(), dimension, bucket.tat[at], bucket.fraction[at],
							now));
				}
			}
		}
		return states;
	}

	private List<Buckets> buckets(List<RateLimitCharge> charges) {
		List<Buckets> current = new ArrayList<>(charges.size());
		// One object per key even when a call names a key twice and the first lookup's
		// entry is already due to expire.
		Map<BucketKey, Buckets> seen = new HashMap<>();
		for (RateLimitCharge charge : charges) {
			current.add(seen.computeIfAbsent(key(charge), (key) -> this.buckets.get(key, (ignored) -> new Buckets())));
		}
		return current;
	}

	/**
	 * Put the buckets a call changed back where needed: one that is now full later than
	 * the cache would keep it, so that Caffeine computes its expiry from the new times,
	 * and one that looking up another one evicted, so that it is kept after all. Every
	 * other bucket is in the cache already and kept long enough: a put would only run the
	 * cache's maintenance once more (a put is most of what a charge costs).
	 */
	private void keep(List<RateLimitCharge> charges, List<Buckets> current) {
		for (int i = 0; i < charges.size(); i++) {
			Buckets bucket = current.get(i);
			BucketKey key = key(charges.get(i));
			if (bucket.fullAtNanos() > bucket.keptUntilNanos || this.policy.getIfPresentQuietly(key) != bucket) {
				this.buckets.put(key, bucket);
			}
		}
	}

	private static BucketKey key(RateLimitCharge charge) {
		return new BucketKey(charge.limit().name(), charge.key());
	}

	private record BucketKey(String limit, String key) {
	}

	/**
	 * The theoretical arrival time of each dimension of one limit and key: whole epoch
	 * microseconds and a fraction in units of {@link Gcra#denominator}; (0, 0), long
	 * past, is a full bucket. Guarded by the store's monitor. The arithmetic is
	 * {@code ratelimit.lua}'s, step for step.
	 */
	private static final class Buckets {

		private final long[] tat = new long[DIMENSIONS.length];

		private final long[] fraction = new long[DIMENSIONS.length];

		/**
		 * Until when, in the cache's ticker, the cache keeps this bucket at least: set
		 * whenever the cache computes its expiry. Not copied.
		 */
		private long keptUntilNanos;

		Buckets copy() {
			Buckets copy = new Buckets();
			copy.takeFrom(this);
			return copy;
		}

		void takeFrom(Buckets other) {
			System.arraycopy(other.tat, 0, this.tat, 0, this.tat.length);
			System.arraycopy(other.fraction, 0, this.fraction, 0, this.fraction.length);
		}

		/**
		 * Add an interval, from now when the bucket is full; a refund never makes it
		 * fuller than full and debt stays within {@link Gcra#MAX_AHEAD_MICROS}.
		 */
		void add(int at, Gcra.Interval interval, long denominator, long now) {
			long micros = this.tat[at];
			long fraction = this.fraction[at];
			if (fraction >= denominator) {
				// Written under another capacity of the same limit name.
				micros += fraction / denominator;
				fraction %= denominator;
			}
			if (micros < now || (micros == now && fraction == 0)) {
				micros = now;
				fraction = 0;
			}
			micros += interval.micros();
			fraction += interval.fraction();
			if (fraction >= denominator) {
				fraction -= denominator;
				micros++;
			}
			long most = now + Gcra.MAX_AHEAD_MICROS;
			if (micros > most || (micros == most && fraction > 0)) {
				micros = most;
				fraction = 0;
			}
			if (micros < now) {
				micros = now;
				fraction = 0;
			}
			this.tat[at] = micros;
			this.fraction[at] = fraction;
		}

		/** When every dimension is full again, in the cache's ticker (nanoseconds). */
		long fullAtNanos() {
			long latest = 0;
			for (int at = 0; at < this.tat.length; at++) {
				latest = Math.max(latest, this.tat[at] + ((this.fraction[at] > 0) ? 1 : 0));
			}
			return latest * 1_000L;
		}

	}

	/**
	 * A bucket may be forgotten once it is full again; reading it changes nothing. It is
	 * kept a grace of one second beyond: a new bucket for the call that is charging it,
	 * and every bucket so that charges within the grace need not write it back to the
	 * cache (see {@link InMemoryRateLimitStore#keep}); a full bucket kept longer is the
	 * same as none.
	 */
	private static final class UntilFull implements Expiry<BucketKey, Buckets> {

		private static final long GRACE_NANOS = 1_000_000_000L;

		@Override
		public long expireAfterCreate(BucketKey key, Buckets value, long currentTime) {
			return keep(value, currentTime);
		}

		@Override
		public long expireAfterUpdate(BucketKey key, Buckets value, long currentTime, long currentDuration) {
			return keep(value, currentTime);
		}

		private static long keep(Buckets value, long currentTime) {
			long duration = Math.max(value.fullAtNanos() - currentTime, 0) + GRACE_NANOS;
			value.keptUntilNanos = currentTime + duration;
			return duration;
		}

		@Override
		public long expireAfterRead(BucketKey key, Buckets value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
