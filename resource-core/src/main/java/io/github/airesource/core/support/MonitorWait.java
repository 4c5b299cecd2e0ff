package io.github.airesource.core.support;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits on an object's monitor until a condition holds or a deadline passes: the loop
 * every "wait until none is left, for at most this long" of the library needs, where the
 * side that makes the condition true notifies under the same monitor.
 */
public final class MonitorWait {

	private MonitorWait() {
	}

	/**
	 * Wait until the condition holds. The caller holds the monitor; the condition is read
	 * under it.
	 * @param monitor the monitor the caller holds and is notified on
	 * @param condition what to wait for
	 * @param deadlineNanos until when, by {@link System#nanoTime()}
	 * @return whether the condition holds; {@code false} when the deadline passed first
	 * or the thread was interrupted (its interrupt status is kept)
	 */
	public static boolean until(Object monitor, BooleanSupplier condition, long deadlineNanos) {
		while (!condition.getAsBoolean()) {
			long left = deadlineNanos - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			try {
				TimeUnit.NANOSECONDS.timedWait(monitor, left);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return true;
	}

}
