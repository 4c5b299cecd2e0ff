package io.github.airesource.core.alerts;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;

import org.springframework.lang.Nullable;

/**
 * The latencies of the latest model calls, for the slow-calls rule: the usage ledger
 * keeps sums, not distributions. A fixed ring of the last {@code capacity} calls that
 * reached the model (cache hits and rejections are not model latency), read over a
 * rolling window. Recording is a short lock around two array writes, no allocation.
 */
public final class LatencyWindow implements UsageListener {

	private final Clock clock;

	private final Duration window;

	private final long[] at;

	private final long[] nanos;

	private final ReentrantLock lock = new ReentrantLock();

	private int next;

	private int size;

	/**
	 * Create a window.
	 * @param capacity how many calls to keep at most
	 * @param window how far back a percentile looks
	 * @param clock the clock
	 */
	public LatencyWindow(int capacity, Duration window, Clock clock) {
		this.at = new long[capacity];
		this.nanos = new long[capacity];
		this.window = window;
		this.clock = clock;
	}

	@Override
	public void onUsage(UsageRecord record, CallScope scope) {
		if (record.outcome() == CallOutcome.CACHE_HIT || record.outcome() == CallOutcome.REJECTED) {
			return;
		}
		record(record.latency());
	}

	/**
	 * Record one call's latency now.
	 * @param latency the latency
	 */
	public void record(Duration latency) {
		long now = this.clock.millis();
		this.lock.lock();
		try {
			this.at[this.next] = now;
			this.nanos[this.next] = latency.toNanos();
			this.next = (this.next + 1) % this.at.length;
			this.size = Math.min(this.size + 1, this.at.length);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return a percentile of the latencies within the window.
	 * @param percentile between 0 and 1, such as 0.95
	 * @return the latency, or {@code null} without calls in the window
	 */
	@Nullable
	public Duration percentile(double percentile) {
		long since = this.clock.millis() - this.window.toMillis();
		long[] values;
		int count = 0;
		this.lock.lock();
		try {
			values = new long[this.size];
			for (int i = 0; i < this.size; i++) {
				if (this.at[i] > since) {
					values[count++] = this.nanos[i];
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		if (count == 0) {
			return null;
		}
		Arrays.sort(values, 0, count);
		int index = (int) Math.ceil(percentile * count) - 1;
		return Duration.ofNanos(values[Math.max(0, Math.min(index, count - 1))]);
	}

}
