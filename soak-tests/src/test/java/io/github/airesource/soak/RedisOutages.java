package io.github.airesource.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.airesource.testsupport.RedisServerProcess;

/**
 * Stops the soak's Redis and starts it again, twice: at a third and at two thirds of the
 * load, each time for a while. It asks the instances about the outage on the way: whether
 * they show it (halfway), what waits to be written (before the restart), and how many
 * budget settlements failed (before the stop and a while after the restart), to be
 * retried.
 */
final class RedisOutages implements AutoCloseable {

	/** How long after a restart the instances have surely reconnected. */
	private static final Duration RECONNECTED = Duration.ofSeconds(3);

	private final RedisServerProcess redis;

	private final Duration length;

	private final Probe probe;

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
	 * @param probe asks the instances about the outage
	 */
	RedisOutages(RedisServerProcess redis, Duration length, Probe probe) {
		this.redis = redis;
		this.length = length;
		this.probe = probe;
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
				timing.failedBefore = this.probe.failedSettlements();
				timing.stopRequested = System.currentTimeMillis();
				this.redis.stop();
				timing.stopped = System.currentTimeMillis();
			}, at, TimeUnit.MILLISECONDS);
			this.scheduler.schedule(() -> timing.shown = this.probe.showsOutage(), at + this.length.toMillis() / 2,
					TimeUnit.MILLISECONDS);
			this.scheduler.schedule(() -> {
				timing.backlog = this.probe.backlog();
				timing.restartRequested = System.currentTimeMillis();
				this.redis.restart();
				timing.restarted = System.currentTimeMillis();
			}, at + this.length.toMillis(), TimeUnit.MILLISECONDS);
			int outage = number;
			this.outages.add(this.scheduler.schedule(
					() -> new Outage(outage, timing.stopRequested, timing.stopped, timing.restartRequested,
							timing.restarted, timing.shown, timing.backlog,
							this.probe.failedSettlements() - timing.failedBefore),
					at + this.length.toMillis() + RECONNECTED.toMillis(), TimeUnit.MILLISECONDS));
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
	 * What the outages ask the instances.
	 */
	interface Probe {

		/**
		 * Whether every instance shows that Redis is down.
		 * @return whether they do
		 */
		boolean showsOutage();

		/**
		 * Return how many usage records wait to be written to Redis, on all instances.
		 * @return the count
		 */
		long backlog();

		/**
		 * Return how many budget settlements failed at their first attempt so far, on all
		 * instances.
		 * @return the count
		 */
		long failedSettlements();

	}

	/**
	 * The times of one outage so far, written and read on the scheduler's one thread.
	 */
	private static final class Timing {

		long stopRequested;

		long stopped;

		long restartRequested;

		long restarted;

		boolean shown;

		long backlog;

		long failedBefore;

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
	 * @param failedSettlements budget settlements that failed from just before the stop
	 * until a few seconds after the restart, to be retried
	 */
	record Outage(int number, long stopRequested, long stopped, long restartRequested, long restarted, boolean shown,
			long backlog, long failedSettlements) {

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
