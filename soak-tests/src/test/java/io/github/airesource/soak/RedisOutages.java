package io.github.airesource.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.github.airesource.testsupport.RedisServerProcess;

/**
 * Stops the soak's Redis and starts it again, twice: at a third and at two thirds of the
 * load, each time for a while. Halfway through each outage it asks whether the instances
 * show it.
 */
final class RedisOutages implements AutoCloseable {

	private final RedisServerProcess redis;

	private final Duration length;

	private final BooleanSupplier showsOutage;

	private final LongSupplier backlog;

	/** One thread: the steps of the outages happen one after the other, in time order. */
	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "soak-redis-outages");
		thread.setDaemon(true);
		return thread;
	});

	private final List<ScheduledFuture<Outage>> outages = new ArrayList<>();

	/**
	 * Plan outages.
	 * @param redis the server to stop and restart
	 * @param length how long each outage lasts
	 * @param showsOutage asked halfway through each outage: whether the instances show it
	 * @param backlog asked just before each restart: what waits to be written to Redis
	 */
	RedisOutages(RedisServerProcess redis, Duration length, BooleanSupplier showsOutage, LongSupplier backlog) {
		this.redis = redis;
		this.length = length;
		this.showsOutage = showsOutage;
		this.backlog = backlog;
	}

	/**
	 * Schedule the two outages of a load that starts now.
	 * @param load how long the load lasts
	 */
	void schedule(Duration load) {
		for (int number = 1; number <= 2; number++) {
			long at = load.toMillis() * number / 3;
			Timing timing = new Timing();
			this.scheduler.schedule(() -> {
				timing.stopRequested = System.currentTimeMillis();
				this.redis.stop();
				timing.stopped = System.currentTimeMillis();
			}, at, TimeUnit.MILLISECONDS);
			this.scheduler.schedule(() -> timing.shown = this.showsOutage.getAsBoolean(),
					at + this.length.toMillis() / 2, TimeUnit.MILLISECONDS);
			int outage = number;
			this.outages.add(this.scheduler.schedule(() -> {
				long backlog = this.backlog.getAsLong();
				long restartRequested = System.currentTimeMillis();
				this.redis.restart();
				return new Outage(outage, timing.stopRequested, timing.stopped, restartRequested,
						System.currentTimeMillis(), timing.shown, backlog);
			}, at + this.length.toMillis(), TimeUnit.MILLISECONDS));
		}
	}

	/**
	 * Wait for both outages to be over.
	 * @return the outages, in order
	 * @throws Exception if stopping or restarting Redis failed
	 */
	List<Outage> await() throws Exception {
		List<Outage> done = new ArrayList<>();
		for (ScheduledFuture<Outage> outage : this.outages) {
			done.add(outage.get(5, TimeUnit.MINUTES));
		}
		return done;
	}

	@Override
	public void close() {
		this.scheduler.shutdownNow();
	}

	/**
	 * The times of one outage so far, written and read on the scheduler's one thread.
	 */
	private static final class Timing {

		long stopRequested;

		long stopped;

		boolean shown;

	}

	/**
	 * One outage, timed by the system clock in epoch milliseconds.
	 *
	 * @param number 1 or 2
	 * @param stopRequested when the stop was asked for
	 * @param stopped when the server had exited
	 * @param restartRequested when the restart was asked for
	 * @param restarted when the restarted server answered
	 * @param shown whether the instances showed the outage halfway through it
	 * @param backlog what waited to be written to Redis when it came back
	 */
	record Outage(int number, long stopRequested, long stopped, long restartRequested, long restarted, boolean shown,
			long backlog) {

		/**
		 * Whether a call lay wholly within the time Redis was certainly down.
		 * @param call the call
		 * @return whether it did
		 */
		boolean contains(CallRecord call) {
			return call.within(this.stopped, this.restartRequested);
		}

	}

}
