package io.github.airesource.core.usage.ledger;

import java.time.Duration;

/**
 * The rolling windows of a ledger. Each is kept as buckets of fixed width aligned to the
 * epoch (UTC), so a window's figure covers its span minus up to one bucket: the last
 * minute is 50 to 60 seconds, the last hour 55 to 60 minutes, the last day 23 to 24
 * hours.
 */
public enum UsageWindow {

	/** The last minute, in 6 buckets of 10 seconds. */
	MINUTE("m", Duration.ofSeconds(10), 6),

	/** The last hour, in 12 buckets of 5 minutes. */
	HOUR("h", Duration.ofMinutes(5), 12),

	/** The last day, in 24 buckets of 1 hour. */
	DAY("d", Duration.ofHours(1), 24);

	private final String key;

	private final long bucketMillis;

	private final int buckets;

	UsageWindow(String key, Duration bucket, int buckets) {
		this.key = key;
		this.bucketMillis = bucket.toMillis();
		this.buckets = buckets;
	}

	/**
	 * Return the short name used in store keys.
	 * @return the key
	 */
	public String key() {
		return this.key;
	}

	/**
	 * Return the width of one bucket.
	 * @return the width in milliseconds
	 */
	public long bucketMillis() {
		return this.bucketMillis;
	}

	/**
	 * Return the number of buckets.
	 * @return the count
	 */
	public int buckets() {
		return this.buckets;
	}

	/**
	 * Return the bucket a moment falls in.
	 * @param epochMillis the moment
	 * @return the bucket number since the epoch
	 */
	public long bucketOf(long epochMillis) {
		return Math.floorDiv(epochMillis, this.bucketMillis);
	}

	/**
	 * Whether a bucket is part of the window that ends at a moment.
	 * @param bucket the bucket number
	 * @param nowMillis the end of the window
	 * @return whether the bucket counts
	 */
	public boolean contains(long bucket, long nowMillis) {
		long current = bucketOf(nowMillis);
		return bucket <= current && bucket > current - this.buckets;
	}

	/**
	 * Return the buckets of the window that ends at a moment, newest first.
	 * @param nowMillis the end of the window
	 * @return the bucket numbers
	 */
	public long[] bucketsAt(long nowMillis) {
		long current = bucketOf(nowMillis);
		long[] buckets = new long[this.buckets];
		for (int i = 0; i < buckets.length; i++) {
			buckets[i] = current - i;
		}
		return buckets;
	}

	/**
	 * Return how long a bucket must be kept to serve the window.
	 * @return the retention
	 */
	public Duration retention() {
		return Duration.ofMillis(this.bucketMillis * (this.buckets + 1));
	}

}
