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
 * The semantic cache in this instance's memory: per partition, the normalized vectors of
 * its entries in one contiguous {@code float[]}, searched exhaustively by dot product
 * (which is the cosine for normalized vectors). Brute force keeps every answer exact and
 * costs, measured in the {@code benchmarks} module, well under a millisecond for 10,000
 * entries of 384 dimensions in one partition; a search only ever scans one partition.
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
				entry.response(), now + entry.ttl().toMillis(), entry.ttl().toNanos());
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
	 * Return the dot product of a query and the vector at an offset; eight independent
	 * sums let the CPU overlap the multiply-adds that one running sum would serialize.
	 */
	static float dot(float[] query, float[] vectors, int offset) {
		int length = query.length;
		float s0 = 0;
		float s1 = 0;
		float s2 = 0;
		float s3 = 0;
		float s4 = 0;
		float s5 = 0;
		float s6 = 0;
		float s7 = 0;
		int i = 0;
		for (; i + 7 < length; i += 8) {
			int o = offset + i;
			s0 += query[i] * vectors[o];
			s1 += query[i + 1] * vectors[o + 1];
			s2 += query[i + 2] * vectors[o + 2];
			s3 += query[i + 3] * vectors[o + 3];
			s4 += query[i + 4] * vectors[o + 4];
			s5 += query[i + 5] * vectors[o + 5];
			s6 += query[i + 6] * vectors[o + 6];
			s7 += query[i + 7] * vectors[o + 7];
		}
		for (; i < length; i++) {
			s0 += query[i] * vectors[offset + i];
		}
		return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
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

		int slot = -1;

		Entry(long id, String partition, String tenant, String text, CachedResponse response, long expiresAtMillis,
				long ttlNanos) {
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
	 * The entries of one partition: vectors back to back in one array, so a search reads
	 * memory in order.
	 */
	private static final class Partition {

		private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

		private float[] vectors = new float[0];

		private Entry[] entries = new Entry[0];

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
				if (this.size == this.entries.length) {
					int capacity = Math.max(16, this.entries.length * 2);
					this.entries = Arrays.copyOf(this.entries, capacity);
					this.vectors = Arrays.copyOf(this.vectors, capacity * this.dimensions);
				}
				System.arraycopy(vector, 0, this.vectors, this.size * this.dimensions, this.dimensions);
				this.entries[this.size] = entry;
				entry.slot = this.size;
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
					System.arraycopy(this.vectors, last * this.dimensions, this.vectors, slot * this.dimensions,
							this.dimensions);
				}
				this.entries[last] = null;
				entry.slot = -1;
				this.size--;
				if (this.entries.length > 64 && this.size < this.entries.length / 4) {
					int capacity = this.entries.length / 2;
					this.entries = Arrays.copyOf(this.entries, capacity);
					this.vectors = Arrays.copyOf(this.vectors, capacity * this.dimensions);
				}
			}
			finally {
				this.lock.writeLock().unlock();
			}
		}

		boolean isEmpty() {
			return this.size == 0;
		}

		List<SemanticCandidate> search(float[] query, int limit, long now) {
			this.lock.readLock().lock();
			try {
				if (this.size == 0 || query.length != this.dimensions) {
					return List.of();
				}
				int k = Math.min(limit, this.size);
				int[] best = new int[k];
				float[] scores = new float[k];
				Arrays.fill(scores, Float.NEGATIVE_INFINITY);
				int dimensions = this.dimensions;
				float[] vectors = this.vectors;
				Entry[] entries = this.entries;
				for (int i = 0, offset = 0; i < this.size; i++, offset += dimensions) {
					float score = dot(query, vectors, offset);
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
					candidates.add(new SemanticCandidate(entry.text, Math.min(1.0, scores[i]), entry.response));
				}
				return candidates;
			}
			finally {
				this.lock.readLock().unlock();
			}
		}

	}

}
