package io.github.airesource.core.concurrency;

import java.util.HashMap;
import java.util.Map;

/**
 * Running calls per key (user or tenant). Not thread-safe: the bulkhead's lock guards it.
 *
 * <p>
 * A key whose last call ended keeps its counter at zero for a while: most keys call again
 * soon, and creating and removing the map's entry on every call was most of what counting
 * cost. The idle counters are swept once there are more of them than {@value #MOST_IDLE}
 * and than running keys, so the map stays within a small multiple of
 * {@code max-concurrent}.
 */
final class ScopeCounts {

	private static final int MOST_IDLE = 64;

	private final int cap;

	private final Map<String, Count> counts = new HashMap<>();

	/** Keys with a running call. */
	private int running;

	ScopeCounts(int cap) {
		this.cap = cap;
	}

	/**
	 * Return whether the key may start one more call.
	 */
	boolean allows(String key) {
		if (this.cap == 0) {
			return true;
		}
		Count count = this.counts.get(key);
		return count == null || count.value < this.cap;
	}

	void increment(String key) {
		Count count = this.counts.get(key);
		if (count == null) {
			count = new Count();
			this.counts.put(key, count);
		}
		if (count.value++ == 0) {
			this.running++;
		}
	}

	void decrement(String key) {
		Count count = this.counts.get(key);
		if (count == null || count.value == 0) {
			return;
		}
		if (--count.value == 0) {
			this.running--;
			int idle = this.counts.size() - this.running;
			if (idle > MOST_IDLE && idle > this.running) {
				this.counts.values().removeIf((c) -> c.value == 0);
			}
		}
	}

	ConcurrencySnapshot.ScopeActivity activity() {
		int atCap = 0;
		if (this.cap > 0) {
			for (Count count : this.counts.values()) {
				if (count.value >= this.cap) {
					atCap++;
				}
			}
		}
		return new ConcurrencySnapshot.ScopeActivity(this.cap, this.running, atCap);
	}

	private static final class Count {

		private int value;

	}

}
