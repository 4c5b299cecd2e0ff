package io.github.airesource.core.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;

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

	/** The cache's time: the clock's when the operation under way began. */
	private long tickNanos;

	/** Guarded by the monitor. */
	private long[] undo = new long[2 * DIMENSIONS.length * 2];

	private static final Function<BucketKey, Buckets> NEW_BUCKETS = Buckets::new;

	public InMemoryRateLimitStore(Clock clock) {
		this(clock, DEFAULT_MAX_KEYS);
	}

	public InMemoryRateLimitStore(Clock clock, int maxKeys) {
		Assert.notNull(clock, "clock must not be null");
		Assert.isTrue(maxKeys > 0, "maxKeys must be positive");
		this.clock = clock;
		this.tickNanos = Gcra.nowMicros(clock) * 1_000L;
		this.buckets = Caffeine.newBuilder()
			.maximumSize(maxKeys)
			.expireAfter(new UntilFull())
			// The time of the operation under way, read once per operation: every cache
			// access is under the monitor, and reading the clock for each of them was a
			// good part of a charge.
			.ticker(() -> this.tickNanos)
			// Maintenance on the calling thread, under the store's monitor, not on a pool
			// thread that could evict a bucket while a call charges it.
			.executor(Runnable::run)
			// Runs within the eviction, under the monitor: tells keep() that a bucket a
			// call holds must be put back, without a second lookup per bucket.
			.evictionListener((BucketKey key, Buckets value, RemovalCause cause) -> {
				if (value != null) {
					value.evicted = true;
				}
			})
			.build();
	}

	@Override
	public RateLimitDecision acquire(List<RateLimitCharge> charges, Duration maxWait) {
		Assert.notNull(charges, "charges must not be null");
		long maxWaitMicros = Gcra.toMicros(maxWait);
		RateLimitDecision.Refused never = Gcra.neverFits(charges);
		if (never != null) {
			return never;
		}
		// The states read the charges later: they must not change.
		List<RateLimitCharge> taken = List.copyOf(charges);
		int size = taken.size();
		BucketKey[] keys = keys(taken);
		Buckets[] current = new Buckets[size];
		long[] times = new long[2 * RateLimitStates.counted(taken)];
		synchronized (this.lock) {
			long now = now();
			lookUp(keys, current);
			// Charged in place, each bucket's times before it first kept in undo: a
			// bucket
			// charged twice in one call (two charges of one limit and key) sees both, and
			// a
			// refusal puts every bucket back as it was.
			long[] undo = undo(size);
			int saved = 0;
			long longest = 0;
			int longestIndex = -1;
			RateDimension longestDimension = null;
			for (int i = 0; i < size; i++) {
				RateLimitCharge charge = taken.get(i);
				RateLimit limit = charge.limit();
				Buckets bucket = current[i];
				for (RateDimension dimension : DIMENSIONS) {
					long amount = charge.amount(dimension);
					if (limit.capacity(dimension) == null || amount == 0) {
						continue;
					}
					int at = dimension.ordinal();
					undo[saved++] = bucket.tat[at];
					undo[saved++] = bucket.fraction[at];
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
				restore(taken, current, undo, saved);
				return new RateLimitDecision.Refused(longestIndex, longestDimension, Gcra.duration(longest));
			}
			keep(current);
			snapshot(taken, current, times);
			// The buckets go back with the answer: settling the call finds them there.
			return new RateLimitDecision.Admitted(Gcra.duration(longest), new RateLimitStates(taken, times, now),
					new Taken(this, current));
		}
	}

	@Override
	public void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		Assert.notNull(charges, "charges must not be null");
		synchronized (this.lock) {
			adjustLocked(charges, requests, tokens, costNanos, now());
		}
	}

	/**
	 * Settle a call this store admitted on the buckets it charged, kept in the admission,
	 * without looking them up: a lookup is most of what an adjustment costs. A bucket the
	 * cache may no longer hold (evicted, or expired by the cache's time) is looked up by
	 * its key instead, as {@link #adjust(List, long, long, long)} does.
	 */
	@Override
	public void adjust(RateLimitDecision.Admitted admitted, List<RateLimitCharge> charges, long requests, long tokens,
			long costNanos) {
		Assert.notNull(admitted, "admitted must not be null");
		Assert.notNull(charges, "charges must not be null");
		if (!(admitted.handle() instanceof Taken taken) || taken.store != this
				|| taken.buckets.length != charges.size()) {
			adjust(charges, requests, tokens, costNanos);
			return;
		}
		Buckets[] held = taken.buckets;
		int size = held.length;
		synchronized (this.lock) {
			long now = now();
			for (int i = 0; i < size; i++) {
				if (changes(charges.get(i).limit(), requests, tokens, costNanos)
						&& !held[i].isCurrent(this.tickNanos)) {
					adjustLocked(charges, requests, tokens, costNanos, now);
					return;
				}
			}
			for (int i = 0; i < size; i++) {
				RateLimit limit = charges.get(i).limit();
				if (changes(limit, requests, tokens, costNanos)) {
					Buckets bucket = held[i];
					add(bucket, limit, RateDimension.REQUESTS, requests, now);
					add(bucket, limit, RateDimension.TOKENS, tokens, now);
					add(bucket, limit, RateDimension.COST, costNanos, now);
				}
			}
			for (int i = 0; i < size; i++) {
				if (changes(charges.get(i).limit(), requests, tokens, costNanos)) {
					keep(held[i]);
				}
			}
		}
	}

	/**
	 * Whether an adjustment changes a limit's bucket: it counts a dimension the
	 * adjustment moves.
	 */
	private static boolean changes(RateLimit limit, long requests, long tokens, long costNanos) {
		return (requests != 0 && limit.requests() != null) || (tokens != 0 && limit.tokens() != null)
				|| (costNanos != 0 && limit.costNanos() != null);
	}

	/** Under the monitor. */
	private void adjustLocked(List<RateLimitCharge> charges, long requests, long tokens, long costNanos, long now) {
		int size = charges.size();
		// Only the buckets a non-zero amount changes: looking one up and keeping it is
		// most of what an adjustment costs, and for the others it changes nothing.
		BucketKey[] keys = new BucketKey[size];
		boolean any = false;
		for (int i = 0; i < size; i++) {
			if (changes(charges.get(i).limit(), requests, tokens, costNanos)) {
				keys[i] = key(charges.get(i));
				any = true;
			}
		}
		if (!any) {
			return;
		}
		Buckets[] current = new Buckets[size];
		lookUp(keys, current);
		for (int i = 0; i < size; i++) {
			RateLimit limit = charges.get(i).limit();
			Buckets bucket = current[i];
			if (bucket == null) {
				continue;
			}
			add(bucket, limit, RateDimension.REQUESTS, requests, now);
			add(bucket, limit, RateDimension.TOKENS, tokens, now);
			add(bucket, limit, RateDimension.COST, costNanos, now);
		}
		keep(current);
	}

	private static void add(Buckets bucket, RateLimit limit, RateDimension dimension, long amount, long now) {
		if (amount != 0 && limit.capacity(dimension) != null) {
			bucket.add(dimension.ordinal(), Gcra.interval(limit, dimension, amount), Gcra.denominator(limit, dimension),
					now);
		}
	}

	@Override
	public List<RateLimitState> state(RateLimit limit, String key) {
		Assert.notNull(limit, "limit must not be null");
		Assert.notNull(key, "key must not be null");
		List<RateLimitState> states = new ArrayList<>(DIMENSIONS.length);
		synchronized (this.lock) {
			long now = now();
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

	/**
	 * Read the clock once for an operation, for the operation and for the cache's ticker.
	 * Under the monitor.
	 */
	private long now() {
		long now = Gcra.nowMicros(this.clock);
		this.tickNanos = now * 1_000L;
		return now;
	}

	/**
	 * Return the scratch array of a call's undo times, kept by the store: it is only used
	 * under the monitor. Under the monitor.
	 */
	private long[] undo(int charges) {
		int needed = 2 * DIMENSIONS.length * charges;
		if (this.undo.length < needed) {
			this.undo = new long[needed];
		}
		return this.undo;
	}

	/**
	 * Put back the times a refused call changed, last first, so that a bucket charged
	 * twice ends with its times from before the first charge.
	 */
	private static void restore(List<RateLimitCharge> charges, Buckets[] current, long[] undo, int saved) {
		for (int i = charges.size() - 1; i >= 0; i--) {
			RateLimitCharge charge = charges.get(i);
			for (int d = DIMENSIONS.length - 1; d >= 0; d--) {
				RateDimension dimension = DIMENSIONS[d];
				if (charge.limit().capacity(dimension) == null || charge.amount(dimension) == 0) {
					continue;
				}
				current[i].fraction[d] = undo[--saved];
				current[i].tat[d] = undo[--saved];
			}
		}
	}

	/**
	 * Copy the times of every counted dimension of every charge, for its states.
	 */
	private static void snapshot(List<RateLimitCharge> charges, Buckets[] current, long[] times) {
		int at = 0;
		for (int i = 0; i < charges.size(); i++) {
			RateLimit limit = charges.get(i).limit();
			for (RateDimension dimension : DIMENSIONS) {
				if (limit.capacity(dimension) != null) {
					times[at++] = current[i].tat[dimension.ordinal()];
					times[at++] = current[i].fraction[dimension.ordinal()];
				}
			}
		}
	}

	private static BucketKey[] keys(List<RateLimitCharge> charges) {
		BucketKey[] keys = new BucketKey[charges.size()];
		for (int i = 0; i < keys.length; i++) {
			keys[i] = key(charges.get(i));
		}
		return keys;
	}

	/**
	 * Look up the bucket of every key that is not {@code null}. One object per key even
	 * when a call names a key twice and the first lookup's entry is already due to
	 * expire. Under the monitor.
	 */
	private void lookUp(BucketKey[] keys, Buckets[] current) {
		for (int i = 0; i < keys.length; i++) {
			if (keys[i] == null) {
				continue;
			}
			for (int j = 0; j < i; j++) {
				if (keys[i].equals(keys[j])) {
					current[i] = current[j];
					break;
				}
			}
			if (current[i] == null) {
				current[i] = this.buckets.get(keys[i], NEW_BUCKETS);
			}
		}
	}

	/**
	 * Put the buckets a call changed back where needed: one that is now full later than
	 * the cache would keep it, so that Caffeine computes its expiry from the new times,
	 * and one that looking up another one evicted, so that it is kept after all. Every
	 * other bucket is in the cache already and kept long enough: a put would only run the
	 * cache's maintenance once more (a put is most of what a charge costs). Under the
	 * monitor.
	 */
	private void keep(Buckets[] current) {
		for (Buckets bucket : current) {
			if (bucket != null) {
				keep(bucket);
			}
		}
	}

	/** Put one bucket back where needed, as {@link #keep(Buckets[])}. */
	private void keep(Buckets bucket) {
		if (bucket.fullAtNanos() > bucket.keptUntilNanos || bucket.evicted) {
			bucket.evicted = false;
			this.buckets.put(bucket.key, bucket);
		}
	}

	private static BucketKey key(RateLimitCharge charge) {
		return new BucketKey(charge.limit().name(), charge.key());
	}

	/**
	 * What an admission hands back for its settlement: the buckets it charged, in charge
	 * order, and the store they belong to.
	 */
	private static final class Taken {

		private final InMemoryRateLimitStore store;

		private final Buckets[] buckets;

		Taken(InMemoryRateLimitStore store, Buckets[] buckets) {
			this.store = store;
			this.buckets = buckets;
		}

	}

	/**
	 * A limit's name and a scope key. Not a record: a record's generated hashCode and
	 * equals go through method handles, and Caffeine hashes and compares a key on every
	 * lookup; the hash is computed once here.
	 */
	private static final class BucketKey {

		private final String limit;

		private final String key;

		private final int hash;

		BucketKey(String limit, String key) {
			this.limit = limit;
			this.key = key;
			this.hash = 31 * limit.hashCode() + key.hashCode();
		}

		@Override
		public boolean equals(Object other) {
			return this == other || (other instanceof BucketKey that && this.hash == that.hash
					&& this.limit.equals(that.limit) && this.key.equals(that.key));
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

		@Override
		public String toString() {
			return this.limit + "/" + this.key;
		}

	}

	/**
	 * The theoretical arrival time of each dimension of one limit and key: whole epoch
	 * microseconds and a fraction in units of {@link Gcra#denominator}; (0, 0), long
	 * past, is a full bucket. Guarded by the store's monitor. The arithmetic is
	 * {@code ratelimit.lua}'s, step for step.
	 */
	private static final class Buckets {

		private final BucketKey key;

		private final long[] tat = new long[DIMENSIONS.length];

		private final long[] fraction = new long[DIMENSIONS.length];

		/**
		 * Until when, in the cache's ticker, the cache keeps this bucket at least: set
		 * whenever the cache computes its expiry.
		 */
		private long keptUntilNanos;

		/**
		 * Whether the cache evicted this bucket since it was last put: set by the
		 * eviction listener.
		 */
		private boolean evicted;

		Buckets(BucketKey key) {
			this.key = key;
		}

		/**
		 * Whether the cache holds this very bucket for its key at the cache's time
		 * {@code tickNanos}: not evicted, and not expired (which the cache may replace by
		 * a new bucket at the next lookup).
		 */
		boolean isCurrent(long tickNanos) {
			return !this.evicted && tickNanos < this.keptUntilNanos;
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
