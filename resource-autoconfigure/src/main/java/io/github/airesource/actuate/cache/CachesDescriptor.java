package io.github.airesource.actuate.cache;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.ManagedCache;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.lang.Nullable;

/**
 * The {@code aicaches} report: every cache the application has enabled. Like Spring
 * Boot's own endpoint results it is an {@link OperationResponseBody}, so Actuator writes
 * it with its own JSON mapper, in camelCase and without null parts, whatever the
 * application configures for its own JSON.
 *
 * @param caches the caches, by name
 */
public record CachesDescriptor(List<CacheDescriptor> caches) implements OperationResponseBody {

	/**
	 * One cache: how many entries it holds and what its lookups did since start. Counts
	 * only, never a key, a prompt or an answer.
	 *
	 * @param name {@code response}, {@code semantic} or {@code tool}
	 * @param size the entries held, {@code null} when the store cannot tell (a shared
	 * store that is unreachable)
	 * @param hits lookups answered from the cache
	 * @param misses lookups that found nothing
	 * @param hitRatio hits over hits and misses, 0 before any lookup
	 * @param bypasses calls the cache skipped (asked to bypass or refresh, not cacheable,
	 * or with no known caller)
	 * @param stores entries stored
	 * @param evictions entries evicted for size (not expiry)
	 * @param failures store reads or writes that failed and were treated as misses
	 * @param savedTokens prompt and completion tokens the hits did not spend
	 * @param savedCost USD the hits did not spend, at the original calls' prices
	 * @param shadowHits hits the semantic cache found in shadow mode and did not serve
	 * @param similarity the best candidates' similarities of semantic lookups by bucket,
	 * {@code null} when the cache recorded none
	 */
	public record CacheDescriptor(String name, @Nullable Long size, long hits, long misses, double hitRatio,
			long bypasses, long stores, long evictions, long failures, long savedTokens, BigDecimal savedCost,
			long shadowHits, @Nullable List<SimilarityBucketDescriptor> similarity) implements OperationResponseBody {

		/**
		 * Describe a cache as it stands.
		 * @param cache the cache
		 * @return the descriptor
		 */
		public static CacheDescriptor of(ManagedCache cache) {
			CacheStatistics.Snapshot stats = cache.statistics().snapshot();
			long size = cache.size();
			return new CacheDescriptor(cache.name(), (size >= 0) ? size : null, stats.hits(), stats.misses(),
					stats.hitRatio(), stats.bypasses(), stats.stores(), stats.evictions(), stats.failures(),
					stats.savedTokens(), usd(stats.savedCost()), stats.shadowHits(), similarity(stats));
		}

		private static BigDecimal usd(BigDecimal amount) {
			// Nano-dollar scale would print zero as 0E-9.
			if (amount.signum() == 0) {
				return BigDecimal.ZERO;
			}
			BigDecimal stripped = amount.stripTrailingZeros();
			return (stripped.scale() < 0) ? stripped.setScale(0) : stripped;
		}

		@Nullable
		private static List<SimilarityBucketDescriptor> similarity(CacheStatistics.Snapshot stats) {
			double[] bounds = stats.similarityBounds();
			long[] counts = stats.similarityCounts();
			long total = 0;
			for (long count : counts) {
				total += count;
			}
			if (total == 0) {
				return null;
			}
			List<SimilarityBucketDescriptor> buckets = new ArrayList<>(counts.length);
			for (int i = 0; i < counts.length; i++) {
				double to = (i + 1 < bounds.length) ? bounds[i + 1] : 1.0;
				buckets.add(new SimilarityBucketDescriptor(bounds[i], to, counts[i]));
			}
			return buckets;
		}

	}

	/**
	 * One bucket of the similarity histogram.
	 *
	 * @param from the least similarity counted here
	 * @param to the similarity from which the next bucket counts (1.0, inclusive, for the
	 * last)
	 * @param count lookups whose best candidate fell here
	 */
	public record SimilarityBucketDescriptor(double from, double to, long count) {
	}

	/**
	 * What a delete removed.
	 *
	 * @param name the cache
	 * @param tenant the tenant whose entries went, {@code null} when the whole cache was
	 * cleared
	 * @param removed the entries removed, {@code null} when the store cannot tell
	 */
	public record ClearedDescriptor(String name, @Nullable String tenant,
			@Nullable Long removed) implements OperationResponseBody {
	}

}
