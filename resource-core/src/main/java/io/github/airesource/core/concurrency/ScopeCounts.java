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

	/**
	 * Count one more call of the key.
	 * @return the key's counter, for {@link #decrement(Count)} when the call ends: it
	 * stays in the map while it counts a call
	 */
	Count increment(String key) {
		Count count = this.counts.get(key);
		if (count == null) {
			count = new Count();
			this.counts.put(key, count);
		}
		if (count.value++ == 0) {
			this.running++;
		}
		return count;
	}

	void decrement(String key) {
		Count count = this.counts.get(key);
		if (count != null) {
			decrement(count);
		}
	}

	/**
	 * Count one call less on the counter {@link #increment(String)} returned, without
	 * looking the key up again.
	 */
	void decrement(Count count) {
		if (count.value == 0) {
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

	static final class Count {

		private int value;

	}

}
