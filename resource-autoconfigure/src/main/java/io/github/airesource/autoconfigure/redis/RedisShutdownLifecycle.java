package io.github.airesource.autoconfigure.redis;

import org.springframework.context.SmartLifecycle;

/**
 * Runs a store's start with the context and, on shutdown, its last writes while Redis can
 * still be reached: the usage ledger's queued calls, the budget settlements waiting for a
 * retry.
 *
 * <p>
 * Spring stops lifecycle beans by phase, highest first: the web server's graceful
 * shutdown ({@code DEFAULT_PHASE - 1024}) lets requests in flight finish and record their
 * calls, then the web server stops ({@code DEFAULT_PHASE - 2048}); this bean stops in
 * {@link #PHASE}, after them, and before Spring Data Redis's
 * {@code LettuceConnectionFactory} (phase 0) closes the connections. Destroy callbacks
 * would run too late: by then the connection factory has stopped. The stop action bounds
 * its own time.
 */
public final class RedisShutdownLifecycle implements SmartLifecycle {

	/** After the web server and before the Redis connection factory. */
	public static final int PHASE = DEFAULT_PHASE - 4096;

	private final Runnable start;

	private final Runnable stop;

	private volatile boolean running;

	/**
	 * Create a lifecycle.
	 * @param start what to do when the context starts
	 * @param stop what to do before the Redis connections close; bounded in time
	 */
	public RedisShutdownLifecycle(Runnable start, Runnable stop) {
		this.start = start;
		this.stop = stop;
	}

	/**
	 * Create a lifecycle with nothing to do at start.
	 * @param stop what to do before the Redis connections close; bounded in time
	 * @return the lifecycle
	 */
	public static RedisShutdownLifecycle onStop(Runnable stop) {
		return new RedisShutdownLifecycle(() -> {
		}, stop);
	}

	@Override
	public void start() {
		this.start.run();
		this.running = true;
	}

	@Override
	public void stop() {
		try {
			this.stop.run();
		}
		finally {
			this.running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
