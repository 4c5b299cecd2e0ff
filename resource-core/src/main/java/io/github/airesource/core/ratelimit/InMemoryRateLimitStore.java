package io.github.airesource.core.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import org.springframework.util.Assert;

/**
 * Rate-limit buckets in this instance's memory, for a single instance.
 *
 * <p>
 * Not Resilience4j's {@code RateLimiter}: its permits refresh all at once at the start of
 * each cycle, a fixed window that lets twice the limit through around a cycle boundary,
 * and it counts permits of one size where a call takes tokens and dollars by the
 * thousand. GCRA needs one timestamp per bucket and no refill thread.
 *
 * <p>
 * One monitor guards every bucket, as in the in-memory budget store: a call checks and
 * takes from several buckets at once, and the work under it is arithmetic on a few longs,
 * never blocking. Buckets are kept per limit and key in a Caffeine cache bounded by
 * {@code maxKeys}; a bucket is forgotten only once it is full again, so forgetting never
 * hands out capacity that was spent.
 */
public final class InMemoryRateLimitStore implements RateLimitStore {

	/** Most keys kept unless configured otherwise. */
	public static final int DEFAULT_MAX_KEYS = 100_000;

	private static final RateDimension[] DIMENSIONS = RateDimension.values();

	private final Clock clock;

	private final Object lock = new Object();

	private final Cache<BucketKey, Buckets> buckets;

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
			.ticker(() -> nowNanos(clock))
			// Maintenance on the calling thread, not a pool thread woken per burst of
			// calls.
			.executor(Runnable::run)
			.build();
	}

	@Override
	public RateLimitDecision acquire(List<RateLimitCharge> charges, Duration maxWait) {
		List<Buckets> current = buckets(charges);
		long maxWaitNanos = maxWait.toNanos();
		synchronized (this.lock) {
			long now = nowNanos(this.clock);
			long longest = 0;
			int longestIndex = -1;
			RateDimension longestDimension = null;
			for (int i = 0; i < charges.size(); i++) {
				RateLimitCharge charge = charges.get(i);
				for (RateDimension dimension : DIMENSIONS) {
					Long capacity = charge.limit().capacity(dimension);
					long amount = charge.amount(dimension);
					if (capacity == null || amount == 0) {
						continue;
					}
					if (amount > capacity) {
						return new RateLimitDecision.Refused(i, dimension, null);
					}
					long wait = current.get(i).waitFor(dimension, charge.limit(), amount, now);
					if (wait > longest) {
						longest = wait;
						longestIndex = i;
						longestDimension = dimension;
					}
				}
			}
			if (longest > maxWaitNanos) {
				return new RateLimitDecision.Refused(longestIndex, longestDimension, Duration.ofNanos(longest));
			}
			List<RateLimitState> states = new ArrayList<>(charges.size());
			for (int i = 0; i < charges.size(); i++) {
				RateLimitCharge charge = charges.get(i);
				Buckets bucket = current.get(i);
				for (RateDimension dimension : DIMENSIONS) {
					if (charge.limit().capacity(dimension) != null) {
						bucket.add(dimension, charge.limit(), charge.amount(dimension), now);
						states.add(bucket.state(dimension, charge.limit(), charge.key(), now));
					}
				}
			}
			return new RateLimitDecision.Admitted(Duration.ofNanos(longest), states);
		}
	}

	@Override
	public void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		List<Buckets> current = buckets(charges);
		synchronized (this.lock) {
			long now = nowNanos(this.clock);
			for (int i = 0; i < charges.size(); i++) {
				RateLimit limit = charges.get(i).limit();
				Buckets bucket = current.get(i);
				bucket.add(RateDimension.REQUESTS, limit, requests, now);
				bucket.add(RateDimension.TOKENS, limit, tokens, now);
				bucket.add(RateDimension.COST, limit, costNanos, now);
			}
		}
		// The expiry moved: let Caffeine see the new one.
		for (int i = 0; i < charges.size(); i++) {
			this.buckets.put(key(charges.get(i)), current.get(i));
		}
	}

	@Override
	public List<RateLimitState> state(RateLimit limit, String key) {
		Buckets bucket = this.buckets.getIfPresent(new BucketKey(limit.name(), key));
		Buckets current = (bucket != null) ? bucket : new Buckets(limit);
		List<RateLimitState> states = new ArrayList<>(DIMENSIONS.length);
		synchronized (this.lock) {
			long now = nowNanos(this.clock);
			for (RateDimension dimension : DIMENSIONS) {
				if (limit.capacity(dimension) != null) {
					states.add(current.state(dimension, limit, key, now));
				}
			}
		}
		return states;
	}

	private List<Buckets> buckets(List<RateLimitCharge> charges) {
		List<Buckets> current = new ArrayList<>(charges.size());
		for (RateLimitCharge charge : charges) {
			current.add(this.buckets.get(key(charge), (ignored) -> new Buckets(charge.limit())));
		}
		return current;
	}

	private static BucketKey key(RateLimitCharge charge) {
		return new BucketKey(charge.limit().name(), charge.key());
	}

	private static long nowNanos(Clock clock) {
		Instant now = clock.instant();
		return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
	}

	private record BucketKey(String limit, String key) {
	}

	/**
	 * The theoretical arrival time of each dimension of one limit and key, in epoch
	 * nanoseconds; 0 (long past) is a full bucket. Guarded by the store's monitor.
	 */
	private static final class Buckets {

		private final long[] tat = new long[DIMENSIONS.length];

		/** The longest period of the limits: the bucket is full at latest then. */
		private final long periodNanos;

		Buckets(RateLimit limit) {
			this.periodNanos = limit.period().toNanos();
		}

		long waitFor(RateDimension dimension, RateLimit limit, long amount, long now) {
			long start = Math.max(this.tat[dimension.ordinal()], now);
			return start + increment(limit, dimension, amount) - this.periodNanos - now;
		}

		void add(RateDimension dimension, RateLimit limit, long amount, long now) {
			if (amount == 0 || limit.capacity(dimension) == null) {
				return;
			}
			int index = dimension.ordinal();
			long start = Math.max(this.tat[index], now);
			// A refund never makes the bucket fuller than full (tat below now).
			this.tat[index] = Math.max(start + increment(limit, dimension, amount), now);
		}

		RateLimitState state(RateDimension dimension, RateLimit limit, String key, long now) {
			long capacity = limit.capacity(dimension);
			long tat = Math.max(this.tat[dimension.ordinal()], now);
			long free = now + this.periodNanos - tat;
			long remaining = (free <= 0) ? 0
					: Math.min(capacity, (long) Math.floor((double) free * capacity / this.periodNanos));
			return new RateLimitState(limit.name(), key, dimension, capacity, remaining, Duration.ofNanos(tat - now),
					limit.period());
		}

		long fullAt() {
			long latest = 0;
			for (long time : this.tat) {
				latest = Math.max(latest, time);
			}
			return latest;
		}

		/**
		 * The time {@code amount} takes to flow back, rounded up: a charge never costs
		 * less than its share and a refund never gives back more.
		 */
		private long increment(RateLimit limit, RateDimension dimension, long amount) {
			return (long) Math.ceil((double) amount * this.periodNanos / limit.capacity(dimension));
		}

	}

	/** A bucket may be forgotten once it is full again. */
	private static final class UntilFull implements Expiry<BucketKey, Buckets> {

		@Override
		public long expireAfterCreate(BucketKey key, Buckets value, long currentTime) {
			return value.periodNanos;
		}

		@Override
		public long expireAfterUpdate(BucketKey key, Buckets value, long currentTime, long currentDuration) {
			return Math.max(value.fullAt() - currentTime, 0) + value.periodNanos;
		}

		@Override
		public long expireAfterRead(BucketKey key, Buckets value, long currentTime, long currentDuration) {
			return Math.max(currentDuration, Math.max(value.fullAt() - currentTime, 0) + value.periodNanos);
		}

	}

}
