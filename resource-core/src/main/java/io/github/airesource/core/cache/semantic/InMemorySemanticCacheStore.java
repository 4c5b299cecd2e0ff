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
 * The semantic cache in this instance's memory: per partition, an 8-bit code of each
 * entry's normalized vector in one {@code byte[]} laid out dimension by dimension,
 * searched exhaustively by dot product (the cosine, for normalized vectors); the
 * shortlist of best approximate scores is then scored exactly with the full
 * {@code float[]} vectors, so the similarities compared with the threshold are exact. The
 * codes take a quarter of the memory a float scan reads, which bounds a brute-force
 * search, and the layout lets the JIT use SIMD instructions; a search only ever scans one
 * partition. Measured in the {@code benchmarks} module ({@code SemanticCacheBenchmark}).
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

	/** Approximate candidates scored exactly per candidate asked for. */
	private static final int SHORTLIST_FACTOR = 4;

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
		return partition.search(query.vector(), limit, this.clock.millis());
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
	 * Return the exact dot product of two vectors of one length.
	 */
	static double exactDot(float[] a, float[] b) {
		double sum = 0;
		for (int i = 0; i < a.length; i++) {
			sum += a[i] * b[i];
		}
		return sum;
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
	 * The entries of one partition. Their 8-bit codes are laid out dimension by dimension
	 * ({@code codes[d * capacity + i]} is dimension {@code d} of entry {@code i}), so a
	 * search is 384 passes of {@code scores[i] += q[d] * codes[...]} over contiguous
	 * memory: loops without a running sum, which the JIT compiles to SIMD instructions
	 * (on Java 21 and later, byte-to-float conversion too), where a dot product per entry
	 * is a serial sum it cannot vectorize.
	 */
	private static final class Partition {

		private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

		private byte[] codes = new byte[0];

		private float[] scales = new float[0];

		private Entry[] entries = new Entry[0];

		private int capacity;

		private int size;

		private int dimensions;

		boolean add(Entry entry, float[] vector) {
			this.lock.writeLock().lock();
			try {
				if (this.size == 0) {
					this.dimensions = vector.length;
				}
				else if (vector.length != this.dimensions) {
					// Another embedding model's vectors cannot be compared with these.
					return false;
				}
				if (this.size == this.capacity) {
					resize(Math.max(16, this.capacity * 2));
				}
				int slot = this.size;
				this.scales[slot] = quantize(vector, slot);
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
					for (int d = 0, base = 0; d < this.dimensions; d++, base += this.capacity) {
						this.codes[base + slot] = this.codes[base + last];
					}
					this.scales[slot] = this.scales[last];
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
			byte[] codes = new byte[capacity * this.dimensions];
			for (int d = 0; d < this.dimensions; d++) {
				System.arraycopy(this.codes, d * this.capacity, codes, d * capacity, this.size);
			}
			this.codes = codes;
			this.scales = Arrays.copyOf(this.scales, capacity);
			this.entries = Arrays.copyOf(this.entries, capacity);
			this.capacity = capacity;
		}

		/**
		 * Write a vector's 8-bit code into a slot: each value scaled so the largest
		 * magnitude is 127.
		 * @return the scale that turns a code's dot product back into the vector's
		 */
		private float quantize(float[] vector, int slot) {
			float max = 0;
			for (float value : vector) {
				max = Math.max(max, Math.abs(value));
			}
			float toCode = (max > 0) ? 127 / max : 0;
			for (int d = 0, at = slot; d < vector.length; d++, at += this.capacity) {
				this.codes[at] = (byte) Math.round(vector[d] * toCode);
			}
			return max / 127;
		}

		boolean isEmpty() {
			return this.size == 0;
		}

		/**
		 * Score every entry from its 8-bit code, keep the best SHORTLIST_FACTOR times
		 * {@code limit}, then score that shortlist exactly with the full vectors: the
		 * similarities compared with the threshold are exact, and the quantization error
		 * of an approximate score (about 0.001) is far below the gap the shortlist
		 * leaves.
		 */
		List<SemanticCandidate> search(float[] query, int limit, long now) {
			this.lock.readLock().lock();
			try {
				int size = this.size;
				if (size == 0 || query.length != this.dimensions) {
					return List.of();
				}
				float[] sums = new float[size];
				byte[] codes = this.codes;
				for (int d = 0, base = 0; d < query.length; d++, base += this.capacity) {
					float weight = query[d];
					for (int i = 0; i < size; i++) {
						sums[i] += weight * codes[base + i];
					}
				}
				int k = Math.min(limit * SHORTLIST_FACTOR, size);
				int[] best = new int[k];
				float[] scores = new float[k];
				Arrays.fill(scores, Float.NEGATIVE_INFINITY);
				float[] scales = this.scales;
				Entry[] entries = this.entries;
				for (int i = 0; i < size; i++) {
					float score = sums[i] * scales[i];
					if (score > scores[k - 1] && entries[i].expiresAtMillis > now) {
						int at = k - 1;
						while (at > 0 && scores[at - 1] < score) {
							scores[at] = scores[at - 1];
							best[at] = best[at - 1];
							at--;
						}
						scores[at] = score;
						best[at] = i;
					}
				}
				List<SemanticCandidate> candidates = new ArrayList<>(k);
				for (int i = 0; i < k && scores[i] != Float.NEGATIVE_INFINITY; i++) {
					Entry entry = entries[best[i]];
					double exact = Math.min(1.0, exactDot(query, entry.vector));
					candidates.add(new SemanticCandidate(entry.text, exact, entry.response));
				}
				candidates.sort((a, b) -> Double.compare(b.similarity(), a.similarity()));
				return (candidates.size() > limit) ? List.copyOf(candidates.subList(0, limit)) : candidates;
			}
			finally {
				this.lock.readLock().unlock();
			}
		}

	}

}
