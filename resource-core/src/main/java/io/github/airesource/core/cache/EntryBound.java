package io.github.airesource.core.cache;

import org.springframework.util.Assert;

/**
 * Keeps a Caffeine cache within a number of entries and a number of bytes at once.
 *
 * <p>
 * Caffeine takes one bound only, a count or a total weight. Both bounds are kept with one
 * weight: an entry of {@code b} bytes weighs {@code max(1, ceil(b * maxEntries /
 * maxBytes))} and the cache holds at most {@code maxEntries} of weight
 * ({@link #maximumWeight()}). Every entry weighs at least 1, so no more than
 * {@code maxEntries} fit; and the weights add up to at least
 * {@code totalBytes * maxEntries / maxBytes}, so the bytes never pass {@code maxBytes}.
 * Small entries are bounded by the count, large ones by the bytes, and an entry larger
 * than {@code maxBytes} on its own is never kept.
 *
 * @param maxEntries most entries, between 1 and {@link Integer#MAX_VALUE}
 * @param maxBytes most estimated bytes, at least 1
 */
public record EntryBound(long maxEntries, long maxBytes) {

	public EntryBound {
		Assert.isTrue(maxEntries >= 1 && maxEntries <= Integer.MAX_VALUE,
				"maxEntries must be between 1 and " + Integer.MAX_VALUE);
		Assert.isTrue(maxBytes >= 1, "maxBytes must be at least 1");
	}

	/**
	 * Return the weight to give Caffeine's {@code maximumWeight}.
	 * @return the weight
	 */
	public long maximumWeight() {
		return this.maxEntries;
	}

	/**
	 * Return the weight of an entry.
	 * @param bytes the entry's estimated bytes
	 * @return the weight, at least 1
	 */
	public int weight(long bytes) {
		// In double: bytes * maxEntries may not fit a long; the weight is clamped anyway.
		double weight = Math.ceil((double) bytes * this.maxEntries / this.maxBytes);
		return (int) Math.max(1, Math.min(weight, Integer.MAX_VALUE));
	}

}
