package io.github.airesource.core.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import org.springframework.util.Assert;

/**
 * Budget counters in this instance's memory, for a single instance.
 *
 * <p>
 * One monitor guards every counter: a reservation checks and reserves several limits at
 * once, and the work under it is a few map operations, never blocking, so it is held for
 * well under a microsecond. A monitor rather than a {@code ReentrantLock}, because the
 * JVM spins briefly on a contended monitor before it parks a thread, and parking costs
 * far more than this work; a virtual thread that holds it pins its carrier only that
 * long. Counters are kept per limit and key in a Caffeine cache bounded by
 * {@code maxKeys}; a key is forgotten only after it has been idle for a whole period and
 * the longest lease, so forgetting never hands out budget that was used.
 */
public final class InMemoryBudgetStore implements BudgetStore {

	/** Most keys kept unless configured otherwise. */
	public static final int DEFAULT_MAX_KEYS = 100_000;

	private final Clock clock;

	private static final BudgetAdmission ADMITTED = new BudgetAdmission.Admitted();

	private final Object lock = new Object();

	private final Cache<CounterKey, Counter> counters;

	/** The longest lease reserved so far: a counter is kept at least that long. */
	private volatile long longestLease;

	public InMemoryBudgetStore(Clock clock) {
		this(clock, DEFAULT_MAX_KEYS);
	}

	public InMemoryBudgetStore(Clock clock, int maxKeys) {
		Assert.notNull(clock, "clock must not be null");
		Assert.isTrue(maxKeys > 0, "maxKeys must be positive");
		this.clock = clock;
		this.counters = Caffeine.newBuilder()
			.maximumSize(maxKeys)
			.expireAfter(new IdleForAPeriod())
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			// Maintenance on the calling thread, not a pool thread woken per burst of
			// calls.
			.executor(Runnable::run)
			.build();
	}

	@Override
	public BudgetAdmission reserve(String reservationId, List<BudgetCharge> charges, Duration leaseTtl,
			boolean checkFallbackAt) {
		long now = this.clock.millis();
		Counter[] current = counters(charges);
		synchronized (this.lock) {
			for (int i = 0; i < charges.size(); i++) {
				current[i].roll(charges.get(i).limit(), now);
			}
			if (checkFallbackAt) {
				for (int i = 0; i < charges.size(); i++) {
					BudgetCharge charge = charges.get(i);
					BudgetUsage usage = current[i].usage(charge.limit(), now);
					if (charge.limit().fallbackAt() > 0
							&& usage.usedFraction(charge.allowance()) >= charge.limit().fallbackAt()) {
						return new BudgetAdmission.Degrade(i, usage);
					}
				}
			}
			for (int i = 0; i < charges.size(); i++) {
				if (!current[i].fits(charges.get(i))) {
					return new BudgetAdmission.Refused(i, current[i].usage(charges.get(i).limit(), now));
				}
			}
			this.longestLease = Math.max(this.longestLease, leaseTtl.toNanos());
			for (int i = 0; i < charges.size(); i++) {
				current[i].reserve(reservationId, charges.get(i), now + leaseTtl.toMillis());
			}
			return ADMITTED;
		}
	}

	@Override
	public void settle(String reservationId, List<BudgetCharge> charges, long actualTokens, long actualCostNanos,
			Duration leaseTtl) {
		long now = this.clock.millis();
		Counter[] current = counters(charges);
		synchronized (this.lock) {
			for (int i = 0; i < charges.size(); i++) {
				current[i].roll(charges.get(i).limit(), now);
				current[i].settle(reservationId, actualTokens, actualCostNanos);
			}
		}
	}

	@Override
	public BudgetUsage usage(BudgetLimit limit, String key) {
		long now = this.clock.millis();
		synchronized (this.lock) {
			Counter counter = this.counters.getIfPresent(new CounterKey(limit.name(), key));
			if (counter == null) {
				return BudgetUsage.none(Instant.ofEpochMilli(windowStart(limit, now)), windowEnd(limit, now));
			}
			counter.roll(limit, now);
			return counter.usage(limit, now);
		}
	}

	@Override
	public List<KeyUsage> top(BudgetLimit limit, int count) {
		long now = this.clock.millis();
		List<KeyUsage> all = new ArrayList<>();
		synchronized (this.lock) {
			this.counters.asMap().forEach((key, counter) -> {
				if (key.limit().equals(limit.name())) {
					counter.roll(limit, now);
					all.add(new KeyUsage(key.key(), counter.usage(limit, now)));
				}
			});
		}
		Comparator<KeyUsage> byUse = limit.capsCost()
				? Comparator.comparingLong((KeyUsage usage) -> usage.usage().usedCostNanos())
				: Comparator.comparingLong((KeyUsage usage) -> usage.usage().usedTokens());
		all.sort(byUse.reversed().thenComparing(KeyUsage::key));
		return List.copyOf(all.subList(0, Math.min(count, all.size())));
	}

	@Override
	public void reset(BudgetLimit limit, String key) {
		long now = this.clock.millis();
		synchronized (this.lock) {
			Counter counter = this.counters.getIfPresent(new CounterKey(limit.name(), key));
			if (counter != null) {
				counter.roll(limit, now);
				counter.clearWindow();
			}
		}
	}

	@Override
	public void grant(BudgetLimit limit, String key, long extraTokens, long extraCostNanos) {
		Assert.isTrue(extraTokens >= 0 && extraCostNanos >= 0, "grants must not be negative");
		long now = this.clock.millis();
		Counter counter = counter(limit, key);
		synchronized (this.lock) {
			counter.roll(limit, now);
			counter.extraTokens += extraTokens;
			counter.extraCostNanos += extraCostNanos;
		}
	}

	/**
	 * Look the counters up outside the monitor: the cache is concurrent, and the shorter
	 * the monitor is held the less concurrent calls wait for it.
	 */
	private Counter[] counters(List<BudgetCharge> charges) {
		Counter[] found = new Counter[charges.size()];
		for (int i = 0; i < found.length; i++) {
			BudgetCharge charge = charges.get(i);
			found[i] = counter(charge.limit(), charge.key());
		}
		return found;
	}

	private Counter counter(BudgetLimit limit, String key) {
		Counter counter = this.counters.getIfPresent(new CounterKey(limit.name(), key));
		// A capturing mapping function only for a key not seen yet.
		return (counter != null) ? counter
				: this.counters.get(new CounterKey(limit.name(), key), (k) -> new Counter(limit.period()));
	}

	static long windowStart(BudgetLimit limit, long nowMillis) {
		long period = limit.period().toMillis();
		return Math.floorDiv(nowMillis, period) * period;
	}

	private static Instant windowEnd(BudgetLimit limit, long nowMillis) {
		return Instant.ofEpochMilli(windowStart(limit, nowMillis) + limit.period().toMillis());
	}

	/**
	 * A limit's name and a scope key. Not a record: a record's generated hashCode and
	 * equals go through method handles, and Caffeine hashes and compares a key on every
	 * lookup; the hash is computed once here.
	 */
	private static final class CounterKey {

		private final String limit;

		private final String key;

		private final int hash;

		CounterKey(String limit, String key) {
			this.limit = limit;
			this.key = key;
			this.hash = 31 * limit.hashCode() + key.hashCode();
		}

		String limit() {
			return this.limit;
		}

		String key() {
			return this.key;
		}

		@Override
		public boolean equals(Object other) {
			return this == other || (other instanceof CounterKey that && this.hash == that.hash
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

	/** How long a lease that ended unsettled is remembered for a late settle. */
	private static final long EXPIRED_GRACE_MILLIS = Duration.ofHours(1).toMillis();

	/**
	 * An entry of a counter's expiry queue: a lease in flight (what it reserved, until
	 * {@code at}), or the marker a lease leaves when it ends unsettled. A lease is its
	 * own queue entry, so that reserving creates one object and settling none.
	 */
	private record Due(long at, String id, boolean marker, long tokens, long costNanos) implements Comparable<Due> {

		static Due lease(String id, long tokens, long costNanos, long expiresAt) {
			return new Due(expiresAt, id, false, tokens, costNanos);
		}

		static Due marker(String id, long until) {
			return new Due(until, id, true, 0, 0);
		}

		@Override
		public int compareTo(Due other) {
			int byTime = Long.compare(this.at, other.at);
			if (byTime != 0) {
				return byTime;
			}
			int byId = this.id.compareTo(other.id);
			return (byId != 0) ? byId : Boolean.compare(this.marker, other.marker);
		}

	}

	/**
	 * One limit's counter for one key. Only touched under the store's lock. It holds the
	 * leases in flight and the markers of leases that ended unsettled, in an expiry order
	 * so that purging costs only what has expired: a settled reservation leaves nothing
	 * behind, so the counter stays as small as the calls in flight.
	 */
	private static final class Counter {

		private final Duration period;

		private long window = Long.MIN_VALUE;

		private long usedTokens;

		private long usedCostNanos;

		private long reservedTokens;

		private long reservedCostNanos;

		private long extraTokens;

		private long extraCostNanos;

		private final Map<String, Due> leases = new HashMap<>();

		private final Map<String, Long> endedUnsettled = new HashMap<>();

		private final TreeSet<Due> expiries = new TreeSet<>();

		Counter(Duration period) {
			this.period = period;
		}

		void roll(BudgetLimit limit, long now) {
			long start = windowStart(limit, now);
			if (start != this.window) {
				this.window = start;
				clearWindow();
			}
			expireLeases(now);
		}

		void clearWindow() {
			this.usedTokens = 0;
			this.usedCostNanos = 0;
			this.extraTokens = 0;
			this.extraCostNanos = 0;
		}

		private void expireLeases(long now) {
			while (!this.expiries.isEmpty() && this.expiries.first().at() <= now) {
				Due expiry = this.expiries.pollFirst();
				if (expiry.marker()) {
					this.endedUnsettled.remove(expiry.id());
					continue;
				}
				Due lease = this.leases.remove(expiry.id());
				this.reservedTokens -= lease.tokens();
				this.reservedCostNanos -= lease.costNanos();
				long until = now + EXPIRED_GRACE_MILLIS;
				this.endedUnsettled.put(lease.id(), until);
				this.expiries.add(Due.marker(lease.id(), until));
			}
		}

		boolean fits(BudgetCharge charge) {
			BudgetAmount allowance = charge.allowance();
			if (allowance.maxTokens() != null && this.usedTokens + this.reservedTokens
					+ charge.tokens() > allowance.maxTokens() + this.extraTokens) {
				return false;
			}
			return allowance.maxCost() == null || this.usedCostNanos + this.reservedCostNanos
					+ charge.costNanos() <= allowance.maxCostNanos() + this.extraCostNanos;
		}

		void reserve(String id, BudgetCharge charge, long expiresAt) {
			this.reservedTokens += charge.tokens();
			this.reservedCostNanos += charge.costNanos();
			Due lease = Due.lease(id, charge.tokens(), charge.costNanos(), expiresAt);
			this.leases.put(id, lease);
			this.expiries.add(lease);
		}

		void settle(String id, long tokens, long costNanos) {
			Due lease = this.leases.remove(id);
			if (lease != null) {
				this.expiries.remove(lease);
				this.reservedTokens -= lease.tokens();
				this.reservedCostNanos -= lease.costNanos();
			}
			else {
				Long markerUntil = this.endedUnsettled.remove(id);
				if (markerUntil == null) {
					// Settled before: a repeat changes nothing.
					return;
				}
				this.expiries.remove(Due.marker(id, markerUntil));
			}
			this.usedTokens += tokens;
			this.usedCostNanos += costNanos;
		}

		BudgetUsage usage(BudgetLimit limit, long now) {
			return new BudgetUsage(this.usedTokens, this.usedCostNanos, this.reservedTokens, this.reservedCostNanos,
					this.extraTokens, this.extraCostNanos, Instant.ofEpochMilli(this.window), windowEnd(limit, now));
		}

		long idleNanos() {
			return this.period.toNanos();
		}

	}

	/**
	 * Forget a counter that has been idle for a whole period and the longest lease: by
	 * then its window has passed, so its use no longer counts, and every lease it held
	 * has ended.
	 */
	private final class IdleForAPeriod implements Expiry<CounterKey, Counter> {

		@Override
		public long expireAfterCreate(CounterKey key, Counter counter, long currentTime) {
			return idle(counter);
		}

		@Override
		public long expireAfterUpdate(CounterKey key, Counter counter, long currentTime, long currentDuration) {
			return idle(counter);
		}

		@Override
		public long expireAfterRead(CounterKey key, Counter counter, long currentTime, long currentDuration) {
			return idle(counter);
		}

		private long idle(Counter counter) {
			return counter.idleNanos() + InMemoryBudgetStore.this.longestLease;
		}

	}

}
