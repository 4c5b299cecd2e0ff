package io.github.airesource.core.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.lang.Nullable;
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
 * the number of keys active within one period. The bucket of a global limit (its one key,
 * {@value CallScope#GLOBAL_ID}) is kept apart, one per limit name, never evicted: every
 * call charges it, and a cache lookup was a good part of a charge.
 *
 * <p>
 * A limit's numbers (its period in microseconds, the capacity and the denominator of each
 * dimension, the interval of one request) are computed the first time it is charged and
 * kept with the limit instance, not on every charge.
 */
public final class InMemoryRateLimitStore implements RateLimitStore {

	/** Most keys kept unless configured otherwise. */
	public static final int DEFAULT_MAX_KEYS = 100_000;

	/**
	 * Most global limits whose bucket is kept apart from the cache; the buckets of more
	 * go into the cache like any other. Far more than any configuration has: a bound only
	 * for code that makes limits on the fly.
	 */
	static final int MOST_GLOBAL_BUCKETS = 1_000;

	/**
	 * Most limit instances whose numbers are kept; beyond, they are computed per call.
	 */
	private static final int MOST_PLANS = 256;

	private static final RateDimension[] DIMENSIONS = RateDimension.values();

	private static final int DIMENSION_COUNT = DIMENSIONS.length;

	private static final int REQUESTS = RateDimension.REQUESTS.ordinal();

	private static final int TOKENS = RateDimension.TOKENS.ordinal();

	private static final int COST = RateDimension.COST.ordinal();

	private static final Function<BucketKey, Buckets> NEW_BUCKETS = Buckets::new;

	private final Clock clock;

	private final Object lock = new Object();

	private final Cache<BucketKey, Buckets> buckets;

	/**
	 * The bucket of each global limit's global key, by limit name. Guarded by the
	 * monitor.
	 */
	private final Map<String, Buckets> globalBuckets = new HashMap<>();

	/** The numbers of the limits charged so far: replaced, never changed. */
	private volatile Plan[] plans = new Plan[0];

	/** The cache's time: the clock's when the operation under way began. */
	private long tickNanos;

	/** Guarded by the monitor. */
	private long[] undo = new long[2 * DIMENSION_COUNT * 2];

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
		// The states read the charges later: they must not change.
		List<RateLimitCharge> taken = List.copyOf(charges);
		int size = taken.size();
		Plan[] plans = new Plan[size];
		int counted = 0;
		for (int i = 0; i < size; i++) {
			RateLimitCharge charge = taken.get(i);
			Plan plan = plan(charge.limit());
			// As Gcra.neverFits, on the numbers kept: the first charge, in charge and
			// dimension order, that asks for more than a whole capacity.
			for (int at = 0; at < DIMENSION_COUNT; at++) {
				if (plan.counts(at) && charge.amount(DIMENSIONS[at]) > plan.capacity[at]) {
					return new RateLimitDecision.Refused(i, DIMENSIONS[at], null);
				}
			}
			plans[i] = plan;
			counted += plan.counted;
		}
		Buckets[] current = new Buckets[size];
		long[] times = new long[2 * counted];
		synchronized (this.lock) {
			long now = now();
			lookUp(taken, plans, current, null);
			// Charged in place, each bucket's times before it first kept in undo: a
			// bucket
			// charged twice in one call (two charges of one limit and key) sees both, and
			// a
			// refusal puts every bucket back as it was.
			long[] undo = undo(size);
			int saved = 0;
			long longest = 0;
			int longestIndex = -1;
			int longestAt = -1;
			for (int i = 0; i < size; i++) {
				RateLimitCharge charge = taken.get(i);
				Plan plan = plans[i];
				Buckets bucket = current[i];
				long[] bucketTimes = bucket.times;
				for (int at = 0; at < DIMENSION_COUNT; at++) {
					long amount;
					if (!plan.counts(at) || (amount = charge.amount(DIMENSIONS[at])) == 0) {
						continue;
					}
					undo[saved++] = bucketTimes[2 * at];
					undo[saved++] = bucketTimes[2 * at + 1];
					bucket.add(at, plan.interval(at, amount), plan.denominator[at], now);
					long wait = bucketTimes[2 * at] - plan.period - now + ((bucketTimes[2 * at + 1] > 0) ? 1 : 0);
					if (wait > longest) {
						longest = wait;
						longestIndex = i;
						longestAt = at;
					}
				}
			}
			if (longest > maxWaitMicros) {
				restore(taken, plans, current, undo, saved);
				return new RateLimitDecision.Refused(longestIndex, DIMENSIONS[longestAt], Gcra.duration(longest));
			}
			keep(current);
			snapshot(plans, current, times);
			// The buckets go back with the answer: settling the call finds them there.
			return new RateLimitDecision.Admitted(Gcra.duration(longest), new RateLimitStates(taken, times, now),
					new Taken(this, current, plans, now));
		}
	}

	@Override
	public void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		Assert.notNull(charges, "charges must not be null");
		Plan[] plans = plans(charges);
		synchronized (this.lock) {
			adjustLocked(charges, plans, requests, tokens, costNanos, now());
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
		Plan[] plans = taken.plans;
		int size = held.length;
		for (int i = 0; i < size; i++) {
			if (plans[i].limit != charges.get(i).limit()) {
				// Not the charges it admitted.
				adjust(charges, requests, tokens, costNanos);
				return;
			}
		}
		// A refund stops at full, and a bucket full at the admission's time is full at
		// any
		// later time: giving back, as nearly every settlement does, needs no clock read
		// (the store's time for it is the admission's). Charging more does: an overrun is
		// charged from now.
		boolean refund = requests <= 0 && tokens <= 0 && costNanos <= 0;
		synchronized (this.lock) {
			long now = refund ? taken.now : now();
			for (int i = 0; i < size; i++) {
				if (plans[i].changes(requests, tokens, costNanos) && !held[i].isCurrent(this.tickNanos)) {
					adjustLocked(charges, plans, requests, tokens, costNanos, refund ? now() : now);
					return;
				}
			}
			for (int i = 0; i < size; i++) {
				if (plans[i].changes(requests, tokens, costNanos)) {
					add(held[i], plans[i], requests, tokens, costNanos, now);
				}
			}
			for (int i = 0; i < size; i++) {
				if (plans[i].changes(requests, tokens, costNanos)) {
					keep(held[i]);
				}
			}
		}
	}

	/** Under the monitor. */
	private void adjustLocked(List<RateLimitCharge> charges, Plan[] plans, long requests, long tokens, long costNanos,
			long now) {
		int size = charges.size();
		// Only the buckets a non-zero amount changes: looking one up and keeping it is
		// most of what an adjustment costs, and for the others it changes nothing.
		boolean[] changed = new boolean[size];
		boolean any = false;
		for (int i = 0; i < size; i++) {
			changed[i] = plans[i].changes(requests, tokens, costNanos);
			any |= changed[i];
		}
		if (!any) {
			return;
		}
		Buckets[] current = new Buckets[size];
		lookUp(charges, plans, current, changed);
		for (int i = 0; i < size; i++) {
			if (current[i] != null) {
				add(current[i], plans[i], requests, tokens, costNanos, now);
			}
		}
		keep(current);
	}

	/** Add an adjustment to every dimension of a bucket that its limit counts. */
	private static void add(Buckets bucket, Plan plan, long requests, long tokens, long costNanos, long now) {
		add(bucket, plan, RateDimension.REQUESTS, requests, now);
		add(bucket, plan, RateDimension.TOKENS, tokens, now);
		add(bucket, plan, RateDimension.COST, costNanos, now);
	}

	private static void add(Buckets bucket, Plan plan, RateDimension dimension, long amount, long now) {
		int at = dimension.ordinal();
		if (amount != 0 && plan.counts(at)) {
			bucket.add(at, plan.interval(at, amount), plan.denominator[at], now);
		}
	}

	@Override
	public List<RateLimitState> state(RateLimit limit, String key) {
		Assert.notNull(limit, "limit must not be null");
		Assert.notNull(key, "key must not be null");
		List<RateLimitState> states = new ArrayList<>(DIMENSION_COUNT);
		synchronized (this.lock) {
			long now = now();
			Buckets bucket = isGlobal(limit, key) ? this.globalBuckets.get(limit.name()) : null;
			if (bucket == null) {
				bucket = this.buckets.getIfPresent(new BucketKey(limit.name(), key));
			}
			for (RateDimension dimension : DIMENSIONS) {
				if (limit.capacity(dimension) != null) {
					int at = dimension.ordinal();
					states.add((bucket != null)
							? Gcra.state(limit, key, dimension, bucket.times[2 * at], bucket.times[2 * at + 1], now)
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
		int needed = 2 * DIMENSION_COUNT * charges;
		if (this.undo.length < needed) {
			this.undo = new long[needed];
		}
		return this.undo;
	}

	/**
	 * Put back the times a refused call changed, last first, so that a bucket charged
	 * twice ends with its times from before the first charge.
	 */
	private static void restore(List<RateLimitCharge> charges, Plan[] plans, Buckets[] current, long[] undo,
			int saved) {
		for (int i = charges.size() - 1; i >= 0; i--) {
			RateLimitCharge charge = charges.get(i);
			for (int at = DIMENSION_COUNT - 1; at >= 0; at--) {
				if (!plans[i].counts(at) || charge.amount(DIMENSIONS[at]) == 0) {
					continue;
				}
				current[i].times[2 * at + 1] = undo[--saved];
				current[i].times[2 * at] = undo[--saved];
			}
		}
	}

	/**
	 * Copy the times of every counted dimension of every charge, for its states.
	 */
	private static void snapshot(Plan[] plans, Buckets[] current, long[] times) {
		int next = 0;
		for (int i = 0; i < plans.length; i++) {
			for (int at = 0; at < DIMENSION_COUNT; at++) {
				if (plans[i].counts(at)) {
					times[next++] = current[i].times[2 * at];
					times[next++] = current[i].times[2 * at + 1];
				}
			}
		}
	}

	/**
	 * Look up the bucket of every charge, or of those {@code wanted} says. One object per
	 * key even when a call names a key twice and the first lookup's entry is already due
	 * to expire. Under the monitor.
	 */
	private void lookUp(List<RateLimitCharge> charges, Plan[] plans, Buckets[] current, @Nullable boolean[] wanted) {
		for (int i = 0; i < current.length; i++) {
			if (wanted != null && !wanted[i]) {
				continue;
			}
			RateLimitCharge charge = charges.get(i);
			for (int j = 0; j < i; j++) {
				if (current[j] != null && sameBucket(charges.get(j), charge)) {
					current[i] = current[j];
					break;
				}
			}
			if (current[i] == null) {
				current[i] = bucketOf(charge, plans[i]);
			}
		}
	}

	private static boolean sameBucket(RateLimitCharge one, RateLimitCharge other) {
		return one.key().equals(other.key()) && one.limit().name().equals(other.limit().name());
	}

	/**
	 * Return the bucket of a charge, new when it has none: a global limit's own, else the
	 * cache's. Under the monitor.
	 */
	private Buckets bucketOf(RateLimitCharge charge, Plan plan) {
		if (plan.global && CallScope.GLOBAL_ID.equals(charge.key())) {
			Buckets bucket = plan.globalBucket;
			if (bucket == null) {
				bucket = this.globalBuckets.get(plan.limit.name());
				if (bucket == null && this.globalBuckets.size() < MOST_GLOBAL_BUCKETS) {
					bucket = new Buckets(null);
					this.globalBuckets.put(plan.limit.name(), bucket);
				}
				plan.globalBucket = bucket;
			}
			if (bucket != null) {
				return bucket;
			}
		}
		return this.buckets.get(new BucketKey(charge.limit().name(), charge.key()), NEW_BUCKETS);
	}

	private static boolean isGlobal(RateLimit limit, String key) {
		return limit.scope() == ScopeType.GLOBAL && CallScope.GLOBAL_ID.equals(key);
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
		if (bucket.key != null && (bucket.fullAtNanos() > bucket.keptUntilNanos || bucket.evicted)) {
			bucket.evicted = false;
			this.buckets.put(bucket.key, bucket);
		}
	}

	/**
	 * Return the numbers of each charge's limit.
	 */
	private Plan[] plans(List<RateLimitCharge> charges) {
		Plan[] plans = new Plan[charges.size()];
		for (int i = 0; i < plans.length; i++) {
			plans[i] = plan(charges.get(i).limit());
		}
		return plans;
	}

	/**
	 * Return a limit's numbers, computed on its first charge. Kept by the limit instance:
	 * comparing a record's components on every charge would cost what is saved.
	 */
	private Plan plan(RateLimit limit) {
		for (Plan plan : this.plans) {
			if (plan.limit == limit) {
				return plan;
			}
		}
		Plan plan = new Plan(limit);
		synchronized (this.lock) {
			Plan[] known = this.plans;
			if (known.length < MOST_PLANS) {
				Plan[] more = Arrays.copyOf(known, known.length + 1);
				more[known.length] = plan;
				this.plans = more;
			}
		}
		return plan;
	}

	/**
	 * What an admission hands back for its settlement: the buckets it charged and their
	 * limits' numbers, in charge order, the store they belong to and its time then.
	 */
	private static final class Taken {

		private final InMemoryRateLimitStore store;

		private final Buckets[] buckets;

		private final Plan[] plans;

		private final long now;

		Taken(InMemoryRateLimitStore store, Buckets[] buckets, Plan[] plans, long now) {
			this.store = store;
			this.buckets = buckets;
			this.plans = plans;
			this.now = now;
		}

	}

	/**
	 * One limit's numbers, computed once: its period in microseconds, the capacity (0 for
	 * a dimension it does not count: capacities are positive) and denominator of each
	 * dimension, the interval of one request.
	 */
	private static final class Plan {

		private final RateLimit limit;

		private final boolean global;

		private final long period;

		private final long[] capacity = new long[DIMENSION_COUNT];

		private final long[] denominator = new long[DIMENSION_COUNT];

		/** How many dimensions the limit counts. */
		private final int counted;

		@Nullable
		private final Gcra.Interval oneRequest;

		/**
		 * The bucket of the global key, once looked up; {@code null} before, and when
		 * there are too many global limits to keep theirs apart. Guarded by the store's
		 * monitor.
		 */
		@Nullable
		private Buckets globalBucket;

		Plan(RateLimit limit) {
			this.limit = limit;
			this.global = limit.scope() == ScopeType.GLOBAL;
			this.period = Gcra.periodMicros(limit);
			int dimensions = 0;
			for (RateDimension dimension : DIMENSIONS) {
				if (limit.capacity(dimension) != null) {
					this.capacity[dimension.ordinal()] = limit.capacity(dimension);
					this.denominator[dimension.ordinal()] = Gcra.denominator(limit, dimension);
					dimensions++;
				}
			}
			this.counted = dimensions;
			this.oneRequest = (limit.requests() != null) ? Gcra.interval(limit, RateDimension.REQUESTS, 1) : null;
		}

		boolean counts(int at) {
			return this.capacity[at] != 0;
		}

		/**
		 * Whether an adjustment changes the limit's bucket: it counts a dimension the
		 * adjustment moves.
		 */
		boolean changes(long requests, long tokens, long costNanos) {
			return (requests != 0 && counts(REQUESTS)) || (tokens != 0 && counts(TOKENS))
					|| (costNanos != 0 && counts(COST));
		}

		/** Gcra's interval of an amount of a dimension the limit counts. */
		Gcra.Interval interval(int at, long amount) {
			if (at == REQUESTS && amount == 1) {
				return this.oneRequest;
			}
			return Gcra.interval(amount, this.period, this.capacity[at], this.denominator[at]);
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
	 * microseconds and a fraction in units of {@link Gcra#denominator}, side by side in
	 * one array; (0, 0), long past, is a full bucket. Guarded by the store's monitor. The
	 * arithmetic is {@code ratelimit.lua}'s, step for step.
	 */
	private static final class Buckets {

		/** The key in the cache; {@code null} for a global limit's bucket, kept apart. */
		@Nullable
		private final BucketKey key;

		/** Per dimension: whole microseconds at {@code 2 * at}, the fraction after. */
		private final long[] times = new long[2 * DIMENSION_COUNT];

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

		Buckets(@Nullable BucketKey key) {
			this.key = key;
		}

		/**
		 * Whether the store holds this very bucket for its key at the cache's time
		 * {@code tickNanos}: a global limit's always; a cached one when not evicted and
		 * not expired (which the cache may replace by a new bucket at the next lookup).
		 */
		boolean isCurrent(long tickNanos) {
			return this.key == null || (!this.evicted && tickNanos < this.keptUntilNanos);
		}

		/**
		 * Add an interval, from now when the bucket is full; a refund never makes it
		 * fuller than full and debt stays within {@link Gcra#MAX_AHEAD_MICROS}.
		 */
		void add(int at, Gcra.Interval interval, long denominator, long now) {
			long micros = this.times[2 * at];
			long fraction = this.times[2 * at + 1];
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
			this.times[2 * at] = micros;
			this.times[2 * at + 1] = fraction;
		}

		/** When every dimension is full again, in the cache's ticker (nanoseconds). */
		long fullAtNanos() {
			long latest = 0;
			for (int at = 0; at < DIMENSION_COUNT; at++) {
				latest = Math.max(latest, this.times[2 * at] + ((this.times[2 * at + 1] > 0) ? 1 : 0));
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
