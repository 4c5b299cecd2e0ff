package io.github.airesource.core.cache.semantic;

import java.time.Duration;
import java.util.List;

import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.ManagedCache;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Where the semantic cache keeps requests and their answers, searched by similarity
 * within one partition. A partition is a hard filter: a search never returns an entry of
 * another partition, however similar. Implementations are bounded (entries and TTL) and
 * thread-safe; their {@link #name()} is {@code semantic}.
 *
 * <p>
 * A store either searches the normalized vectors the advisor computed with the
 * application's {@code EmbeddingModel} ({@link #embedsItself()} false), or embeds texts
 * itself, as a Spring AI {@code VectorStore} does with its own model (true); then the
 * advisor does not embed, and queries and entries carry no vector.
 */
public interface SemanticCacheStore extends ManagedCache {

	@Override
	default String name() {
		return "semantic";
	}

	/**
	 * Return whether the store embeds texts itself, so the advisor passes no vectors.
	 * @return {@code true} when the store embeds
	 */
	default boolean embedsItself() {
		return false;
	}

	/**
	 * Return the live entries of a partition most similar to a request, most similar
	 * first, whatever their similarity (the caller applies its threshold and records the
	 * best similarity).
	 * @param query the request
	 * @param limit the most candidates to return
	 * @return the candidates, possibly none
	 */
	List<SemanticCandidate> nearest(SemanticQuery query, int limit);

	/**
	 * Return the live entries of a partition most similar to a request, most similar
	 * first, when only the candidates at or above {@code threshold} can become hits. The
	 * candidates at or above the threshold are exactly those
	 * {@link #nearest(SemanticQuery, int)} returns, in the same order with the same
	 * similarities; those below it may be found approximately (a store may skip entries
	 * it can prove are below the threshold and keep only a shortlist of the others),
	 * though each similarity returned is still the exact one. The default searches
	 * exactly.
	 * @param query the request
	 * @param limit the most candidates to return
	 * @param threshold the least similarity of a hit
	 * @return the candidates, possibly none
	 */
	default List<SemanticCandidate> nearest(SemanticQuery query, int limit, double threshold) {
		return nearest(query, limit);
	}

	/**
	 * Store an answer.
	 * @param entry the entry
	 */
	void put(SemanticEntry entry);

	/**
	 * A request to look up.
	 *
	 * @param partition the partition key
	 * @param text the user message text
	 * @param vector the normalized embedding of the text, {@code null} when the store
	 * embeds itself
	 */
	record SemanticQuery(String partition, String text, @Nullable float[] vector) {

		public SemanticQuery {
			Assert.notNull(partition, "partition must not be null");
			Assert.notNull(text, "text must not be null");
		}

	}

	/**
	 * A request and its answer to store.
	 *
	 * @param partition the partition key
	 * @param tenant the tenant, for clearing one tenant's entries
	 * @param text the user message text
	 * @param vector the normalized embedding of the text, {@code null} when the store
	 * embeds itself
	 * @param response the answer
	 * @param ttl how long to keep it
	 */
	record SemanticEntry(String partition, String tenant, String text, @Nullable float[] vector,
			CachedResponse response, Duration ttl) {

		public SemanticEntry {
			Assert.notNull(partition, "partition must not be null");
			Assert.notNull(tenant, "tenant must not be null");
			Assert.notNull(text, "text must not be null");
			Assert.notNull(response, "response must not be null");
			Assert.isTrue(ttl != null && !ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
		}

	}

	/**
	 * A stored request found by a search.
	 *
	 * @param text the stored request's user message text
	 * @param similarity its cosine similarity to the query
	 * @param response its answer
	 */
	record SemanticCandidate(String text, double similarity, CachedResponse response) {

	}

}
