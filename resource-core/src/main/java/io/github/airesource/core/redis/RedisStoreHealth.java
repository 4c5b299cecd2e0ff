package io.github.airesource.core.redis;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * How one feature's Redis store is doing: failed round trips (for the
 * {@code ai.resource.redis.failures} meter), whether the last round trip failed, the last
 * error and when it happened (for health and endpoints). Every Redis-backed feature keeps
 * one, so that they all report failures the same way. Thread-safe and lock-free.
 */
public final class RedisStoreHealth {

	private static final Log logger = LogFactory.getLog(RedisStoreHealth.class);

	private final String feature;

	private final Clock clock;

	private final LongAdder failures = new LongAdder();

	private volatile boolean degraded;

	@Nullable
	private volatile String lastError;

	@Nullable
	private volatile Instant lastFailure;

	/**
	 * Create the health of one feature's store.
	 * @param feature the feature, such as {@code usage}, used as the meter's tag
	 * @param clock the clock that stamps failures
	 */
	public RedisStoreHealth(String feature, Clock clock) {
		Assert.hasText(feature, "feature must not be empty");
		Assert.notNull(clock, "clock must not be null");
		this.feature = feature;
		this.clock = clock;
	}

	/**
	 * Note a failed round trip.
	 * @param ex what failed
	 */
	public void failed(RuntimeException ex) {
		this.failures.increment();
		this.lastError = ex.getMessage();
		this.lastFailure = this.clock.instant();
		if (!this.degraded) {
			this.degraded = true;
			logger.warn("Redis store of AI Resource's " + this.feature + " failed: " + ex.getMessage());
		}
		logger.debug("Redis " + this.feature + " round trip failed", ex);
	}

	/**
	 * Note a round trip that worked.
	 */
	public void succeeded() {
		if (this.degraded) {
			this.degraded = false;
			logger.info("Redis store of AI Resource's " + this.feature + " is answering again");
		}
	}

	/**
	 * Note the outcome of a round trip that was not awaited, when it comes, in the health
	 * of every store it serves.
	 * @param answer the command's answer, bounded by the Redis timeout
	 * ({@link ResourceRedis#bounded}), so that it fails with a
	 * {@link RedisUnavailableException}
	 * @param healths the health of every store the command serves
	 */
	public static void noteWhenAnswered(CompletableFuture<?> answer, RedisStoreHealth... healths) {
		answer.whenComplete((value, ex) -> {
			for (RedisStoreHealth health : healths) {
				if (ex == null) {
					health.succeeded();
				}
				else {
					health.failed(RedisUnavailableException.of(ex));
				}
			}
		});
	}

	/**
	 * Return the feature.
	 * @return the feature name
	 */
	public String feature() {
		return this.feature;
	}

	/**
	 * Return how many round trips failed since start.
	 * @return the count
	 */
	public long failures() {
		return this.failures.sum();
	}

	/**
	 * Whether the last round trip failed.
	 * @return whether the store is degraded
	 */
	public boolean degraded() {
		return this.degraded;
	}

	/**
	 * Return the message of the last failure.
	 * @return the message, or {@code null} if none failed
	 */
	@Nullable
	public String lastError() {
		return this.lastError;
	}

	/**
	 * Return when the last failure happened.
	 * @return the moment, or {@code null} if none failed
	 */
	@Nullable
	public Instant lastFailure() {
		return this.lastFailure;
	}

}
