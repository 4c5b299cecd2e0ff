package io.github.airesource.core.cache;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running counters of one cache: lookups by result, entries stored and evicted, store
 * failures, what hits saved, and for the semantic cache the similarity of the best
 * candidates and the hits shadow mode would have served. Safe for concurrent use; reads
 * are a consistent-enough snapshot for an endpoint or a gauge.
 */
public final class CacheStatistics {

	/**
	 * Lower bounds of the similarity histogram's buckets; the first is everything below
	 * 0.80.
	 */
	private static final double[] SIMILARITY_BOUNDS = { 0.0, 0.80, 0.85, 0.90, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98,
			0.99 };

	private final LongAdder hits = new LongAdder();

	private final LongAdder misses = new LongAdder();

	private final LongAdder bypasses = new LongAdder();

	private final LongAdder stores = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	private final LongAdder failures = new LongAdder();

	private final LongAdder shadowHits = new LongAdder();

	private final LongAdder savedTokens = new LongAdder();

	private final LongAdder savedCostNanos = new LongAdder();

	private final AtomicLongArray similarities = new AtomicLongArray(SIMILARITY_BOUNDS.length);

	/**
	 * Count a hit and what it saved.
	 * @param response the cached answer served
	 */
	public void recordHit(CachedResponse response) {
		this.hits.increment();
		this.savedTokens.add((long) response.promptTokens() + response.completionTokens());
		if (response.costNanos() > 0) {
			this.savedCostNanos.add(response.costNanos());
		}
	}

	/** Count a hit that saved nothing measurable, such as a tool result. */
	public void recordHit() {
		this.hits.increment();
	}

	/** Count a lookup that found nothing. */
	public void recordMiss() {
		this.misses.increment();
	}

	/** Count a call the cache skipped. */
	public void recordBypass() {
		this.bypasses.increment();
	}

	/** Count an entry stored. */
	public void recordStore() {
		this.stores.increment();
	}

	/** Count an entry evicted for size (not expiry). */
	public void recordEviction() {
		this.evictions.increment();
	}

	/** Count a store that could not be read or written, such as Redis being down. */
	public void recordFailure() {
		this.failures.increment();
	}

	/** Count a hit that shadow mode found but did not serve. */
	public void recordShadowHit() {
		this.shadowHits.increment();
	}

	/**
	 * Count the similarity of the best candidate a semantic lookup found.
	 * @param similarity the cosine similarity
	 */
	public void recordSimilarity(double similarity) {
		int bucket = 0;
		for (int i = SIMILARITY_BOUNDS.length - 1; i > 0; i--) {
			if (similarity >= SIMILARITY_BOUNDS[i]) {
				bucket = i;
				break;
			}
		}
		this.similarities.incrementAndGet(bucket);
	}

	/**
	 * Return the counters as they stand.
	 * @return the snapshot
	 */
	public Snapshot snapshot() {
		long[] histogram = new long[SIMILARITY_BOUNDS.length];
		for (int i = 0; i < histogram.length; i++) {
			histogram[i] = this.similarities.get(i);
		}
		return new Snapshot(this.hits.sum(), this.misses.sum(), this.bypasses.sum(), this.stores.sum(),
				this.evictions.sum(), this.failures.sum(), this.shadowHits.sum(), this.savedTokens.sum(),
				BigDecimal.valueOf(this.savedCostNanos.sum(), 9), SIMILARITY_BOUNDS.clone(), histogram);
	}

	/**
	 * The counters of a cache at one moment.
	 *
	 * @param hits lookups answered from the cache
	 * @param misses lookups that found nothing
	 * @param bypasses calls the cache skipped
	 * @param stores entries stored
	 * @param evictions entries evicted for size
	 * @param failures store reads or writes that failed and were treated as misses
	 * @param shadowHits hits found in shadow mode and not served
	 * @param savedTokens prompt and completion tokens the hits did not spend
	 * @param savedCost USD the hits did not spend, at the original calls' prices
	 * @param similarityBounds lower bounds of the similarity histogram's buckets
	 * @param similarityCounts best-candidate similarities counted per bucket
	 */
	public record Snapshot(long hits, long misses, long bypasses, long stores, long evictions, long failures,
			long shadowHits, long savedTokens, BigDecimal savedCost, double[] similarityBounds,
			long[] similarityCounts) {

		/**
		 * Return hits over lookups.
		 * @return the hit ratio, 0 before any lookup
		 */
		public double hitRatio() {
			long lookups = this.hits + this.misses;
			return (lookups > 0) ? (double) this.hits / lookups : 0.0;
		}

	}

}
