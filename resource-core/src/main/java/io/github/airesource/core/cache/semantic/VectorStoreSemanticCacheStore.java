package io.github.airesource.core.cache.semantic;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.CachedResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * The semantic cache in any Spring AI {@link VectorStore}, which embeds the requests with
 * its own embedding model ({@link #embedsItself()}). Each entry is one document whose
 * text is the request's user message and whose metadata holds the partition key, the
 * tenant, the expiry (epoch milliseconds) and the answer (the versioned binary form of
 * {@link CachedResponse}, Base64). Searches filter on the partition and the expiry with
 * the store's own filter expressions ({@link FilterExpressionBuilder}), so another
 * partition's or an expired entry is never a candidate, and the store may hold other
 * documents (a RAG corpus) without mixing them in: every entry also carries
 * {@value #CACHE_KEY}={@value #CACHE_VALUE}, and {@link #clear()} deletes only those.
 *
 * <p>
 * Bounds: the entries this instance stored are tracked in a Caffeine index, at most
 * {@code maxEntries} and each for its TTL; an entry the index drops (for size or expiry)
 * is deleted from the vector store. Several instances sharing one vector store each keep
 * their own bound; expired entries of an instance that died are never served (the expiry
 * filter) and can be deleted by {@link #deleteExpired()}.
 */
public final class VectorStoreSemanticCacheStore implements SemanticCacheStore {

	/** Metadata key marking the documents of the semantic cache. */
	public static final String CACHE_KEY = "ai_resource_cache";

	/** Value of {@link #CACHE_KEY}. */
	public static final String CACHE_VALUE = "semantic";

	/** Metadata key of the partition key. */
	public static final String PARTITION_KEY = "ai_resource_partition";

	/** Metadata key of the tenant. */
	public static final String TENANT_KEY = "ai_resource_tenant";

	/** Metadata key of the expiry, epoch milliseconds. */
	public static final String EXPIRES_KEY = "ai_resource_expires_at";

	/** Metadata key of the encoded answer. */
	public static final String RESPONSE_KEY = "ai_resource_response";

	private static final Log logger = LogFactory.getLog(VectorStoreSemanticCacheStore.class);

	private final VectorStore vectorStore;

	private final Clock clock;

	private final Cache<String, Tracked> index;

	private final CacheStatistics statistics = new CacheStatistics();

	/**
	 * Create a store.
	 * @param vectorStore the vector store
	 * @param maxEntries the most entries this instance keeps
	 * @param clock the clock that expires entries
	 */
	public VectorStoreSemanticCacheStore(VectorStore vectorStore, long maxEntries, Clock clock) {
		Assert.notNull(vectorStore, "vectorStore must not be null");
		Assert.isTrue(maxEntries > 0, "maxEntries must be positive");
		Assert.notNull(clock, "clock must not be null");
		this.vectorStore = vectorStore;
		this.clock = clock;
		this.index = Caffeine.newBuilder()
			.maximumSize(maxEntries)
			.expireAfter(new TrackedExpiry())
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.removalListener((String id, Tracked tracked, RemovalCause cause) -> {
				if (cause == RemovalCause.SIZE || cause == RemovalCause.EXPIRED) {
					if (cause == RemovalCause.SIZE) {
						this.statistics.recordEviction();
					}
					delete(List.of(id));
				}
			})
			.build();
	}

	@Override
	public boolean embedsItself() {
		return true;
	}

	@Override
	public List<SemanticCandidate> nearest(SemanticQuery query, int limit) {
		FilterExpressionBuilder filter = new FilterExpressionBuilder();
		SearchRequest request = SearchRequest.builder()
			.query(query.text())
			.topK(limit)
			.similarityThresholdAll()
			.filterExpression(
					filter.and(filter.eq(PARTITION_KEY, query.partition()), filter.gt(EXPIRES_KEY, this.clock.millis()))
						.build())
			.build();
		List<Document> documents = this.vectorStore.similaritySearch(request);
		if (documents == null || documents.isEmpty()) {
			return List.of();
		}
		List<SemanticCandidate> candidates = new ArrayList<>(documents.size());
		for (Document document : documents) {
			CachedResponse response = decode(document.getMetadata().get(RESPONSE_KEY));
			// A store may ignore part of a filter: check what the cache relies on again.
			if (response != null && query.partition().equals(document.getMetadata().get(PARTITION_KEY))
					&& expiresAt(document) > this.clock.millis() && document.getText() != null) {
				double score = (document.getScore() != null) ? document.getScore() : 0.0;
				candidates.add(new SemanticCandidate(document.getText(), score, response));
			}
		}
		candidates.sort((a, b) -> Double.compare(b.similarity(), a.similarity()));
		return candidates;
	}

	@Override
	public void put(SemanticEntry entry) {
		long expiresAt = this.clock.millis() + entry.ttl().toMillis();
		Map<String, Object> metadata = new HashMap<>();
		metadata.put(CACHE_KEY, CACHE_VALUE);
		metadata.put(PARTITION_KEY, entry.partition());
		metadata.put(TENANT_KEY, entry.tenant());
		metadata.put(EXPIRES_KEY, expiresAt);
		metadata.put(RESPONSE_KEY, Base64.getEncoder().encodeToString(entry.response().encode()));
		String id = UUID.randomUUID().toString();
		this.vectorStore.add(List.of(new Document(id, entry.text(), metadata)));
		this.index.put(id, new Tracked(entry.tenant(), entry.ttl().toNanos()));
		this.statistics.recordStore();
	}

	/**
	 * Return the number of entries this instance stored that are still live.
	 * @return the entries
	 */
	@Override
	public long size() {
		this.index.cleanUp();
		return this.index.estimatedSize();
	}

	@Override
	public CacheStatistics statistics() {
		return this.statistics;
	}

	/**
	 * Delete every entry of the semantic cache from the vector store, those of other
	 * instances too; other documents stay.
	 * @return the entries this instance tracked
	 */
	@Override
	public long clear() {
		long tracked = size();
		this.index.asMap().clear();
		FilterExpressionBuilder filter = new FilterExpressionBuilder();
		this.vectorStore.delete(filter.eq(CACHE_KEY, CACHE_VALUE).build());
		return tracked;
	}

	/**
	 * Delete every entry of one tenant from the vector store, those of other instances
	 * too.
	 * @param tenant the tenant
	 * @return the entries of the tenant this instance tracked
	 */
	@Override
	public long clearTenant(String tenant) {
		List<String> ids = new ArrayList<>();
		this.index.asMap().forEach((id, tracked) -> {
			if (tracked.tenant.equals(tenant)) {
				ids.add(id);
			}
		});
		ids.forEach(this.index.asMap()::remove);
		FilterExpressionBuilder filter = new FilterExpressionBuilder();
		this.vectorStore.delete(filter.and(filter.eq(CACHE_KEY, CACHE_VALUE), filter.eq(TENANT_KEY, tenant)).build());
		return ids.size();
	}

	/**
	 * Delete the expired entries of the semantic cache, including those of instances that
	 * stopped before their index could.
	 */
	public void deleteExpired() {
		this.index.cleanUp();
		FilterExpressionBuilder filter = new FilterExpressionBuilder();
		this.vectorStore.delete(
				filter.and(filter.eq(CACHE_KEY, CACHE_VALUE), filter.lte(EXPIRES_KEY, this.clock.millis())).build());
	}

	private void delete(List<String> ids) {
		try {
			this.vectorStore.delete(ids);
		}
		catch (RuntimeException ex) {
			// The expiry filter keeps the entry from being served; it only takes space.
			this.statistics.recordFailure();
			logger.debug("Could not delete semantic cache entries " + ids + " from the vector store", ex);
		}
	}

	private static long expiresAt(Document document) {
		Object value = document.getMetadata().get(EXPIRES_KEY);
		if (value instanceof Number number) {
			return number.longValue();
		}
		if (value != null) {
			try {
				return Long.parseLong(value.toString());
			}
			catch (NumberFormatException ex) {
				return 0;
			}
		}
		return 0;
	}

	@Nullable
	private static CachedResponse decode(@Nullable Object value) {
		if (!(value instanceof String text)) {
			return null;
		}
		try {
			return CachedResponse.decode(Base64.getDecoder().decode(text));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private record Tracked(String tenant, long ttlNanos) {

	}

	/**
	 * Expires each tracked entry after its own TTL.
	 */
	private static final class TrackedExpiry implements Expiry<String, Tracked> {

		@Override
		public long expireAfterCreate(String key, Tracked value, long currentTime) {
			return value.ttlNanos();
		}

		@Override
		public long expireAfterUpdate(String key, Tracked value, long currentTime, long currentDuration) {
			return value.ttlNanos();
		}

		@Override
		public long expireAfterRead(String key, Tracked value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
