package io.github.airesource.core.support;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Counts the calls an advisor refused for one reason since start, and remembers when the
 * last one was, for the {@code ailimits} endpoint. Thread-safe and cheap on the refusing
 * thread: one {@link LongAdder} increment and one volatile write, no lock.
 */
public final class RejectionCounter {

	private final Clock clock;

	private final LongAdder count = new LongAdder();

	// The count and the time are not updated atomically together: a reader may see a
	// count that already includes a rejection whose time is not written yet. Good
	// enough for a report, and it keeps the refusing thread lock-free.
	@Nullable
	private volatile Instant last;

	/**
	 * Create a counter that times rejections with the system clock in UTC.
	 */
	public RejectionCounter() {
		this(Clock.systemUTC());
	}

	/**
	 * Create a counter.
	 * @param clock times the rejections
	 */
	public RejectionCounter(Clock clock) {
		Assert.notNull(clock, "clock must not be null");
		this.clock = clock;
	}

	/**
	 * Count one rejection, now.
	 */
	public void increment() {
		this.count.increment();
		this.last = this.clock.instant();
	}

	/**
	 * Return how many rejections were counted since start.
	 * @return the count
	 */
	public long count() {
		return this.count.sum();
	}

	/**
	 * Return when the last rejection was counted.
	 * @return the time, or {@code null} when there was none
	 */
	@Nullable
	public Instant last() {
		return this.last;
	}

}
