package io.github.airesource.core.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.github.airesource.core.support.MonitorWait;

/**
 * Counts the commands sent to Redis without waiting whose answer has not come yet, such
 * as settlements, so that shutdown can wait for them while the connection is still open:
 * a settlement that fails then is queued for its retry, which shutdown flushes next.
 * Thread-safe.
 */
public final class PendingAnswers {

	private final AtomicLong count = new AtomicLong();

	/**
	 * Count a command sent without waiting until its answer comes, and tell its failure,
	 * if it fails, to a listener that must not block.
	 * @param sent the command's answer
	 * @param onFailure told on whichever thread the failure comes
	 */
	public void track(CompletableFuture<?> sent, Consumer<RedisUnavailableException> onFailure) {
		enter();
		sent.whenComplete((answer, ex) -> {
			try {
				if (ex != null) {
					onFailure.accept(RedisUnavailableException.of(ex));
				}
			}
			finally {
				leave();
			}
		});
	}

	/**
	 * Count one more command sent.
	 */
	public void enter() {
		this.count.incrementAndGet();
	}

	/**
	 * Count one command answered, or failed.
	 */
	public void leave() {
		if (this.count.decrementAndGet() == 0) {
			synchronized (this) {
				notifyAll();
			}
		}
	}

	/**
	 * Return how many are waiting for their answer.
	 * @return the count
	 */
	public long count() {
		return this.count.get();
	}

	/**
	 * Wait until none is in flight.
	 * @param maxWait how long to wait at most
	 * @return whether none is left in flight
	 */
	public boolean awaitNone(Duration maxWait) {
		long deadline = System.nanoTime() + maxWait.toNanos();
		synchronized (this) {
			// A leave that reaches zero notifies under this lock, so checking the count
			// under it cannot miss that notification.
			return MonitorWait.until(this, () -> this.count.get() == 0, deadline);
		}
	}

}
