package io.github.airesource.core.history;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * History state in this instance's memory: a Caffeine cache bounded by the number of
 * conversations, which forgets a conversation idle for longer than a time to live.
 */
public final class InMemoryHistoryStore implements HistoryStore {

	/** How many conversations are remembered by default. */
	public static final int DEFAULT_MAX_CONVERSATIONS = 10_000;

	/** How long an idle conversation is remembered by default. */
	public static final Duration DEFAULT_TTL = Duration.ofHours(24);

	private final Cache<HistoryKey, HistoryCut> cuts;

	/**
	 * Create a store with the default bounds.
	 */
	public InMemoryHistoryStore() {
		this(DEFAULT_MAX_CONVERSATIONS, DEFAULT_TTL);
	}

	/**
	 * Create a store.
	 * @param maxConversations how many conversations to remember at most
	 * @param ttl how long an idle conversation is remembered
	 */
	public InMemoryHistoryStore(int maxConversations, Duration ttl) {
		Assert.isTrue(maxConversations > 0, "maxConversations must be positive");
		Assert.isTrue(ttl != null && !ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
		this.cuts = Caffeine.newBuilder()
			.maximumSize(maxConversations)
			.expireAfterAccess(ttl)
			// Maintenance on the calling thread, not a pool thread woken per call.
			.executor(Runnable::run)
			.build();
	}

	@Override
	@Nullable
	public HistoryCut get(HistoryKey key) {
		return this.cuts.getIfPresent(key);
	}

	@Override
	public void put(HistoryKey key, HistoryCut cut) {
		this.cuts.put(key, cut);
	}

	@Override
	public void remove(HistoryKey key) {
		this.cuts.invalidate(key);
	}

	/**
	 * Return how many conversations are remembered now.
	 * @return the estimated count
	 */
	public long size() {
		return this.cuts.estimatedSize();
	}

}
