package io.github.airesource.autoconfigure.usage;

import io.github.airesource.core.usage.redis.RedisUsageLedger;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the Redis usage ledger's writer with the context and, on shutdown, lets it send
 * the calls still queued while Redis can still be reached.
 *
 * <p>
 * Spring stops lifecycle beans by phase, highest first: the web server's graceful
 * shutdown ({@code DEFAULT_PHASE - 1024}) lets requests in flight finish and record their
 * calls, then the web server stops ({@code DEFAULT_PHASE - 2048}); this bean stops in
 * {@link #PHASE}, after them, and before Spring Data Redis's
 * {@code LettuceConnectionFactory} (phase 0) closes the connections. Destroy callbacks
 * would run too late: by then the connection factory has stopped. Stopping takes at most
 * {@link RedisUsageLedger#DEFAULT_STOP_TIMEOUT} plus one Redis timeout, and less when
 * Redis fails.
 */
class RedisUsageLedgerLifecycle implements SmartLifecycle {

	/** After the web server and before the Redis connection factory. */
	static final int PHASE = DEFAULT_PHASE - 4096;

	private final RedisUsageLedger ledger;

	private volatile boolean running;

	RedisUsageLedgerLifecycle(RedisUsageLedger ledger) {
		this.ledger = ledger;
	}

	@Override
	public void start() {
		this.ledger.start();
		this.running = true;
	}

	@Override
	public void stop() {
		try {
			this.ledger.stop(RedisUsageLedger.DEFAULT_STOP_TIMEOUT);
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
