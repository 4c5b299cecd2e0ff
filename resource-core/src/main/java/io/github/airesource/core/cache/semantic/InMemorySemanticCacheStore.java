package io.github.airesource.core.cache.semantic;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.CachedResponse;

import org.springframework.util.Assert;

/**
 * The semantic cache in this instance's memory: per partition, the sign bits of each
 * entry's vector packed in one {@code long[]} (384 dimensions take 6 longs), beside the
 * full {@code float[]} vectors. A search first bounds every entry's cosine from its sign
 * bits alone (a few {@code Long.bitCount}s, an intrinsic since Java 8, so it is fast on
 * Java 17 without SIMD), then scores exactly, with the full vectors, every entry whose
 * bound reaches the threshold plus a shortlist of the best bounded others. The bound is a
 * proof, not a heuristic (see {@link Partition#search}): no entry at or above the
 * threshold is ever skipped, so hits and their order are those of an exhaustive exact
 * search, and every similarity returned is the exact cosine. Only the candidates below
 * the threshold, which never hit, come from the shortlist and may miss a slightly better
 * entry. A search only ever scans one partition. Measured in the {@code benchmarks}
 * module ({@code SemanticCacheBenchmark}).
 *
 * <p>
 * Bounds are kept by Caffeine: at most {@code maxEntries} entries across all partitions
 * (Caffeine's size policy picks the victims), each expiring after its TTL; a removed
 * entry leaves its partition's arrays at once (the last entry moves into its slot), and
 * an empty partition is dropped. Searches also skip entries past their expiry, so an
 * expired entry is never served even before Caffeine's cleanup runs. Searches of one
 * partition run in parallel under a read lock; writes to a partition are serialized.
 */
public final class InMemorySemanticCacheStore implements SemanticCacheStore {

	/**
	 * Entries scored exactly beyond those whose bound reaches the threshold, so the best
	 * candidates below the threshold (whose similarity the advisor records) are found
	 * too.
	 */
	private static final int SHORTLIST = 64;

	/**
	 * Bits of the integer weights that approximate (from below) the query's squared
	 * values in the bound: more bits make the bound tighter and the scan slower. The scan
	 * is unrolled for 5.
	 */
	private static final int WEIGHT_BITS = 5;

	/**
	 * Slack on the squared threshold so float rounding never prunes an entry whose exact
	 * similarity equals the threshold.
	 */
	private static final double ROUNDING_SLACK = 1e-5;

	private final Clock clock;

	private final ConcurrentHashMap<String, Partition> partitions = new ConcurrentHashMap<>();

	private final Cache<Long, Entry> entries;

	private final AtomicLong ids = new AtomicLong();

	private final CacheStatistics statistics = new CacheStatistics();

	/**
	 * Create a store.
	 * @param maxEntries the most entries kept across all partitions
	 * @param clock the clock that expires entries
	 */
	public InMemorySemanticCacheStore(long maxEntries, Clock clock) {
		Assert.isTrue(maxEntries > 0, "maxEntries must be positive");
		Assert.notNull(clock, "clock must not be null");
		this.clock = clock;
		this.entries = Caffeine.newBuilder()
			.maximumSize(maxEntries)
			.expireAfter(new EntryExpiry())
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			// Unlink on the calling thread, so the partitions never hold what the bounds
			// dropped longer than the write that dropped it.
			.executor(Runnable::run)
			.removalListener((Long id, Entry entry, RemovalCause cause) -> {
				if (entry != null && cause != RemovalCause.REPLACED) {
					unlink(entry);
					if (cause == RemovalCause.SIZE) {
						this.statistics.recordEviction();
					}
				}
			})
			.build();
	}

	@Override
	public List<SemanticCandidate> nearest(SemanticQuery query, int limit) {
		Assert.notNull(query.vector(), "the memory store searches vectors: the query must carry one");
		Partition partition = this.partitions.get(query.partition());
		if (partition == null || limit < 1) {
			return List.of();
		}
		return partition.search(query.vector(), limit, Double.NEGATIVE_INFINITY, this.clock.millis());
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Entries this store can prove are below the threshold are not scored exactly; the
	 * candidates at or above it are exact and complete.
	 */
	@Override
	public List<SemanticCandidate> nearest(SemanticQuery query, int limit, double threshold) {
		Assert.notNull(query.vector(), "the memory store searches vectors: the query must carry one");
		Partition partition = this.partitions.get(query.partition());
		if (partition == null || limit < 1) {
			return List.of();
		}
		return partition.search(query.vector(), limit, threshold, this.clock.millis());
	}

	@Override
	public void put(SemanticEntry entry) {
		float[] vector = entry.vector();
		Assert.notNull(vector, "the memory store keeps vectors: the entry must carry one");
		long now = this.clock.millis();
		Entry stored = new Entry(this.ids.incrementAndGet(), entry.partition(), entry.tenant(), entry.text(),
				entry.response(), now + entry.ttl().toMillis(), entry.ttl().toNanos(), vector.clone());
		boolean[] added = new boolean[1];
		this.partitions.compute(entry.partition(), (key, partition) -> {
			Partition target = (partition != null) ? partition : new Partition();
			added[0] = target.add(stored, vector);
			return target.isEmpty() ? null : target;
		});
		if (added[0]) {
			this.entries.put(stored.id, stored);
			this.statistics.recordStore();
		}
	}

	@Override
	public long size() {
		this.entries.cleanUp();
		return this.entries.estimatedSize();
	}

	@Override
	public CacheStatistics statistics() {
		return this.statistics;
	}

	@Override
	public long clear() {
		long removed = size();
		this.entries.invalidateAll();
		this.partitions.clear();
		return removed;
	}

	@Override
	public long clearTenant(String tenant) {
		List<Long> ids = new ArrayList<>();
		this.entries.asMap().forEach((id, entry) -> {
			if (entry.tenant.equals(tenant)) {
				ids.add(id);
			}
		});
		this.entries.invalidateAll(ids);
		return ids.size();
	}

	/**
	 * Return the number of partitions that hold entries.
	 * @return the partitions
	 */
	public int partitions() {
		return this.partitions.size();
	}

	private void unlink(Entry entry) {
		this.partitions.computeIfPresent(entry.partition, (key, partition) -> {
			partition.remove(entry);
			return partition.isEmpty() ? null : partition;
		});
	}

	/**
	 * Return the exact dot product of two vectors of one length: each product in
	 * {@code float}, summed in {@code double}. Four sums side by side, because one sum is
	 * a chain of dependent additions that Java 17's compiler neither vectorizes nor
	 * reorders (floating-point addition is not associative): four independent chains run
	 * about three times faster on the same core, and a search scores up to its shortlist
	 * plus every entry whose bound reaches the threshold this way.
	 */
	static double exactDot(float[] a, float[] b) {
		double sum0 = 0;
		double sum1 = 0;
		double sum2 = 0;
		double sum3 = 0;
		int i = 0;
		for (int end = a.length - 3; i < end; i += 4) {
			sum0 += a[i] * b[i];
			sum1 += a[i + 1] * b[i + 1];
			sum2 += a[i + 2] * b[i + 2];
			sum3 += a[i + 3] * b[i + 3];
		}
		for (; i < a.length; i++) {
			sum0 += a[i] * b[i];
		}
		return (sum0 + sum1) + (sum2 + sum3);
	}

	/**
	 * One stored request. {@code slot} is its index in its partition's arrays, guarded by
	 * the partition's lock, {@code -1} once unlinked.
	 */
	private static final class Entry {

		final long id;

		final String partition;

		final String tenant;

		final String text;

		final CachedResponse response;

		final long expiresAtMillis;

		final long ttlNanos;

		final float[] vector;

		int slot = -1;

		Entry(long id, String partition, String tenant, String text, CachedResponse response, long expiresAtMillis,
				long ttlNanos, float[] vector) {
			this.vector = vector;
			this.id = id;
			this.partition = partition;
			this.tenant = tenant;
			this.text = text;
			this.response = response;
			this.expiresAtMillis = expiresAtMillis;
			this.ttlNanos = ttlNanos;
		}

	}

	/**
	 * Expires each entry after its own TTL.
	 */
	private static final class EntryExpiry implements Expiry<Long, Entry> {

		@Override
		public long expireAfterCreate(Long key, Entry value, long currentTime) {
			return value.ttlNanos;
		}

		@Override
		public long expireAfterUpdate(Long key, Entry value, long currentTime, long currentDuration) {
			return value.ttlNanos;
		}

		@Override
		public long expireAfterRead(Long key, Entry value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

	/**
	 * The entries of one partition: the sign bits of entry {@code i}'s vector are
	 * {@code signs[i * words]} to {@code signs[i * words + words - 1]} (bit
	 * {@code d % 64} of word {@code d / 64} set when dimension {@code d} is negative),
	 * its squared norm {@code normsSquared[i]}, its full vector in {@code entries[i]}.
	 */
	private static final class Partition {

		private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

		private long[] signs = new long[0];

		private float[] normsSquared = new float[0];

		private Entry[] entries = new Entry[0];

		private int capacity;

		private int size;

		private int dimensions;

		private int words;

		boolean add(Entry entry, float[] vector) {
			this.lock.writeLock().lock();
			try {
				if (this.size == 0) {
					this.dimensions = vector.length;
					this.words = (vector.length + 63) >>> 6;
					this.signs = new long[this.capacity * this.words];
				}
				else if (vector.length != this.dimensions) {
					// Another embedding model's vectors cannot be compared with these.
					return false;
				}
				if (this.size == this.capacity) {
					resize(Math.max(16, this.capacity * 2));
				}
				int slot = this.size;
				int base = slot * this.words;
				Arrays.fill(this.signs, base, base + this.words, 0L);
				double normSquared = 0;
				for (int d = 0; d < vector.length; d++) {
					if (vector[d] < 0) {
						this.signs[base + (d >>> 6)] |= 1L << d;
					}
					normSquared += (double) vector[d] * vector[d];
				}
				// Rounded up, so the bound stays an upper bound.
				this.normsSquared[slot] = Math.nextUp((float) normSquared);
				this.entries[slot] = entry;
				entry.slot = slot;
				this.size++;
				return true;
			}
			finally {
				this.lock.writeLock().unlock();
			}
		}

		void remove(Entry entry) {
			this.lock.writeLock().lock();
			try {
				int slot = entry.slot;
				// The slot may belong to an older partition of the same key (after
				// clear).
				if (slot < 0 || slot >= this.size || this.entries[slot] != entry) {
					return;
				}
				int last = this.size - 1;
				if (slot != last) {
					Entry moved = this.entries[last];
					this.entries[slot] = moved;
					moved.slot = slot;
					System.arraycopy(this.signs, last * this.words, this.signs, slot * this.words, this.words);
					this.normsSquared[slot] = this.normsSquared[last];
				}
				this.entries[last] = null;
				entry.slot = -1;
				this.size--;
				if (this.capacity > 64 && this.size < this.capacity / 4) {
					resize(this.capacity / 2);
				}
			}
			finally {
				this.lock.writeLock().unlock();
			}
		}

		private void resize(int capacity) {
			this.signs = Arrays.copyOf(this.signs, capacity * this.words);
			this.normsSquared = Arrays.copyOf(this.normsSquared, capacity);
			this.entries = Arrays.copyOf(this.entries, capacity);
			this.capacity = capacity;
		}

		boolean isEmpty() {
			return this.size == 0;
		}

		/**
		 * Find the {@code limit} most similar live entries: exact and complete at or
		 * above {@code threshold}, from a shortlist below it.
		 *
		 * <p>
		 * Why the bound never skips an entry at or above the threshold: split the
		 * dimensions of query {@code q} and entry {@code v} into A, where their sign bits
		 * agree, and D, where they differ. On D each product {@code q[d] * v[d]} is at
		 * most 0 (opposite signs, or a zero), so {@code q.v <= sum over A of q[d] * v[d]
		 * <= |q restricted to A| * |v|} (Cauchy-Schwarz) {@code = sqrt(|q|^2 - E) * |v|}
		 * with {@code E} the query's energy on D, the sum of {@code q[d]^2} over D. The
		 * scan computes a lower bound of {@code E}: each {@code q[d]^2} rounded down to a
		 * multiple of a step ({@link #WEIGHT_BITS}-bit integer weights), the weights' bit
		 * planes stored as masks, so {@code E >= step * sum over bits b of 2^b *
		 * bitCount((qSigns ^ vSigns) & plane[b])}: for 384 dimensions 6 XORs and 30
		 * masked popcounts per entry, with no floating point. An entry whose bound
		 * {@code (|q|^2 - E) * |v|^2} is below the squared threshold (less a rounding
		 * slack) cannot reach it and is not scored exactly. For unrelated vectors about
		 * half the signs differ, so {@code E} is near one half and the bound, after the
		 * weights' rounding, about 0.8: below a threshold such as 0.95, and such entries
		 * are skipped; entries near the query are scored exactly. A lower threshold
		 * prunes less and only costs time (with all-MiniLM-L6-v2 on the labelled pairs'
		 * 403 texts, 0.46% of the entries pass the bound at 0.95, 1.1% at 0.9, 26% at
		 * 0.8).
		 *
		 * <p>
		 * Below the threshold nothing is guaranteed (the bound cannot prune there without
		 * losing the point): the {@link #SHORTLIST} entries with the highest bounds are
		 * scored too, and the best of them fill the candidates (the advisor records the
		 * best one's similarity, never serves it).
		 */
		List<SemanticCandidate> search(float[] query, int limit, double threshold, long now) {
			this.lock.readLock().lock();
			try {
				int size = this.size;
				if (size == 0 || query.length != this.dimensions) {
					return List.of();
				}
				TopCandidates top = new TopCandidates(limit);
				if (!(threshold > 0)) {
					// Every entry may reach the threshold: score them all.
					for (int i = 0; i < size; i++) {
						top.offer(this.entries[i], query, now);
					}
					return top.toList();
				}
				int words = this.words;
				long[] querySigns = new long[words];
				double queryNormSquared = 0;
				float largest = 0;
				for (int d = 0; d < query.length; d++) {
					float squared = query[d] * query[d];
					queryNormSquared += squared;
					largest = Math.max(largest, squared);
					if (query[d] < 0) {
						querySigns[d >>> 6] |= 1L << d;
					}
				}
				double step = largest / ((1 << WEIGHT_BITS) - 1);
				long[] planes = new long[WEIGHT_BITS * words];
				if (step > 0) {
					for (int d = 0; d < query.length; d++) {
						// Rounded down (and the step shrunk slightly below, for float
						// rounding), so each weight times the step is at most q[d]^2.
						int weight = Math.min((1 << WEIGHT_BITS) - 1, (int) ((query[d] * query[d]) / step));
						for (int b = 0; b < WEIGHT_BITS; b++) {
							if ((weight & (1 << b)) != 0) {
								planes[(d >>> 6) * WEIGHT_BITS + b] |= 1L << d;
							}
						}
					}
				}
				step = step * (1 - 1e-6);
				float[] bounds = new float[size];
				// The SHORTLIST highest bounds, to find the cut below which the
				// shortlist ends.
				int k = Math.min(SHORTLIST, size);
				float[] highest = new float[k];
				Arrays.fill(highest, Float.NEGATIVE_INFINITY);
				long[] signs = this.signs;
				float[] normsSquared = this.normsSquared;
				Entry[] entries = this.entries;
				for (int i = 0, base = 0; i < size; i++, base += words) {
					int weighted = 0;
					for (int w = 0, plane = 0; w < words; w++, plane += WEIGHT_BITS) {
						long differ = signs[base + w] ^ querySigns[w];
						// One masked popcount per plane of the WEIGHT_BITS (5) planes.
						weighted += Long.bitCount(differ & planes[plane])
								+ (Long.bitCount(differ & planes[plane + 1]) << 1)
								+ (Long.bitCount(differ & planes[plane + 2]) << 2)
								+ (Long.bitCount(differ & planes[plane + 3]) << 3)
								+ (Long.bitCount(differ & planes[plane + 4]) << 4);
					}
					float bound = (float) ((queryNormSquared - weighted * step) * normsSquared[i]);
					bounds[i] = bound;
					if (bound > highest[k - 1] && entries[i].expiresAtMillis > now) {
						int at = k - 1;
						while (at > 0 && highest[at - 1] < bound) {
							highest[at] = highest[at - 1];
							at--;
						}
						highest[at] = bound;
					}
				}
				double cut = Math.min(threshold * threshold - ROUNDING_SLACK, highest[k - 1]);
				for (int i = 0; i < size; i++) {
					if (bounds[i] >= cut) {
						top.offer(entries[i], query, now);
					}
				}
				return top.toList();
			}
			finally {
				this.lock.readLock().unlock();
			}
		}

	}

	/**
	 * The most similar live entries offered, by exact similarity.
	 */
	private static final class TopCandidates {

		private final Entry[] best;

		private final double[] similarities;

		private int count;

		TopCandidates(int limit) {
			this.best = new Entry[limit];
			this.similarities = new double[limit];
		}

		void offer(Entry entry, float[] query, long now) {
			if (entry.expiresAtMillis <= now) {
				return;
			}
			double similarity = Math.min(1.0, exactDot(query, entry.vector));
			int limit = this.best.length;
			if (this.count == limit && similarity <= this.similarities[limit - 1]) {
				return;
			}
			int at = (this.count < limit) ? this.count++ : limit - 1;
			while (at > 0 && this.similarities[at - 1] < similarity) {
				this.similarities[at] = this.similarities[at - 1];
				this.best[at] = this.best[at - 1];
				at--;
			}
			this.similarities[at] = similarity;
			this.best[at] = entry;
		}

		List<SemanticCandidate> toList() {
			List<SemanticCandidate> candidates = new ArrayList<>(this.count);
			for (int i = 0; i < this.count; i++) {
				candidates.add(new SemanticCandidate(this.best[i].text, this.similarities[i], this.best[i].response));
			}
			return candidates;
		}

	}

}
