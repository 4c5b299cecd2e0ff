package io.github.airesource.core.cache;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Keeps cached answers in this instance's heap, in a Caffeine cache bounded both by
 * entries and by bytes ({@link EntryBound}: an entry larger than the byte bound on its
 * own is never kept), each entry with its own TTL. The bytes are the entry's
 * {@link CachedResponse#retainedBytes() estimate} plus {@value #ENTRY_OVERHEAD} for its
 * key and Caffeine's bookkeeping.
 *
 * <p>
 * Evictions for size (not expiry) are counted in {@link #statistics()}. Maintenance runs
 * on the calling threads, never on the common pool, so the bounds hold when {@link #put}
 * returns.
 */
public final class InMemoryResponseCacheStore implements ResponseCacheStore {

	/**
	 * Bytes an entry takes besides its answer: the key (tenant and 64 hex digits), the
	 * value holder and Caffeine's node with its expiry and weight.
	 */
	static final int ENTRY_OVERHEAD = 320;

	private final Cache<Key, Entry> cache;

	private final EntryBound bound;

	private final CacheStatistics statistics = new CacheStatistics();

	/**
	 * Create a store.
	 * @param maxEntries most entries kept, at least 1
	 * @param maxBytes most estimated bytes kept, at least 1
	 */
	public InMemoryResponseCacheStore(long maxEntries, long maxBytes) {
		this(maxEntries, maxBytes, Ticker.systemTicker());
	}

	/**
	 * Create a store whose TTLs run by a ticker of the caller's, for tests.
	 * @param maxEntries most entries kept, at least 1
	 * @param maxBytes most estimated bytes kept, at least 1
	 * @param ticker the time source of the TTLs
	 */
	public InMemoryResponseCacheStore(long maxEntries, long maxBytes, Ticker ticker) {
		Assert.notNull(ticker, "ticker must not be null");
		this.bound = new EntryBound(maxEntries, maxBytes);
		this.cache = Caffeine.newBuilder()
			.maximumWeight(this.bound.maximumWeight())
			.weigher((Key key, Entry entry) -> weight(entry.bytes))
			.expireAfter(Expiry.writing((Key key, Entry entry) -> entry.ttl))
			.ticker(ticker)
			.executor(Runnable::run)
			.evictionListener((Key key, Entry entry, RemovalCause cause) -> {
				if (cause == RemovalCause.SIZE) {
					this.statistics.recordEviction();
				}
			})
			.build();
	}

	int weight(long bytes) {
		return this.bound.weight(bytes);
	}

	@Override
	@Nullable
	public CachedResponse get(String tenant, String key) {
		Entry entry = this.cache.getIfPresent(new Key(tenant, key));
		return (entry != null) ? entry.response : null;
	}

	@Override
	public void put(String tenant, String key, CachedResponse response, Duration ttl) {
		Assert.isTrue(ttl != null && !ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
		this.cache.put(new Key(tenant, key), new Entry(response, ttl, response.retainedBytes() + ENTRY_OVERHEAD));
		this.statistics.recordStore();
	}

	@Override
	public void remove(String tenant, String key) {
		this.cache.invalidate(new Key(tenant, key));
	}

	@Override
	public long size() {
		return this.cache.estimatedSize();
	}

	/**
	 * Return the estimated bytes the entries take, as weighed for the byte bound.
	 * @return the bytes
	 */
	public long estimatedBytes() {
		return this.cache.asMap().values().stream().mapToLong((entry) -> entry.bytes).sum();
	}

	@Override
	public CacheStatistics statistics() {
		return this.statistics;
	}

	@Override
	public long clear() {
		long size = this.cache.estimatedSize();
		this.cache.invalidateAll();
		this.cache.cleanUp();
		return size;
	}

	@Override
	public long clearTenant(String tenant) {
		long removed = 0;
		for (Key key : this.cache.asMap().keySet()) {
			if (key.tenant.equals(tenant) && this.cache.asMap().remove(key) != null) {
				removed++;
			}
		}
		return removed;
	}

	private record Key(String tenant, String key) {
	}

	private record Entry(CachedResponse response, Duration ttl, long bytes) {
	}

}
