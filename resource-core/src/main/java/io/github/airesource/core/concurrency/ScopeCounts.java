package io.github.airesource.core.concurrency;

import java.util.HashMap;
import java.util.Map;

/**
 * Running calls per key (user or tenant). Only keys with a running call are kept, so the
 * map never outgrows {@code max-concurrent}. Not thread-safe: the bulkhead's lock guards
 * it.
 */
final class ScopeCounts {

	private final int cap;

	private final Map<String, Integer> running = new HashMap<>();

	ScopeCounts(int cap) {
		this.cap = cap;
	}

	/**
	 * Return whether the key may start one more call.
	 */
	boolean allows(String key) {
		return this.cap == 0 || this.running.getOrDefault(key, 0) < this.cap;
	}

	void increment(String key) {
		this.running.merge(key, 1, Integer::sum);
	}

	void decrement(String key) {
		this.running.computeIfPresent(key, (k, count) -> (count > 1) ? count - 1 : null);
	}

	ConcurrencySnapshot.ScopeActivity activity() {
		int atCap = 0;
		if (this.cap > 0) {
			for (int count : this.running.values()) {
				if (count >= this.cap) {
					atCap++;
				}
			}
		}
		return new ConcurrencySnapshot.ScopeActivity(this.cap, this.running.size(), atCap);
	}

}
