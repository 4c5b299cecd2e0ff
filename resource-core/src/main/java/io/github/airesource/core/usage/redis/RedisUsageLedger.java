package io.github.airesource.core.usage.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageField;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.core.usage.ledger.UsageReport.StoreStatus;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.redis.RedisUsageReader.FleetUsage;

import org.springframework.util.Assert;

/**
 * A ledger whose counters live in Redis, so every instance that shares the Redis reports
 * the usage of all of them.
 *
 * <p>
 * Recording never touches Redis on the caller's thread: each call is added to this
 * instance's {@link InMemoryUsageLedger} and queued for a background writer, which sends
 * the queued calls in batches over a connection of its own, one atomic script per hash
 * slot (see {@link RedisUsageWriter}). Reports read Redis within the configured timeout
 * in two round trips and fall back to this instance's figures when it does not answer.
 * Every call stays in this instance's figures whatever happens to Redis; the report's
 * store status says whether the figures are fleet-wide and how many calls are pending,
 * failed or of unknown outcome.
 *
 * <p>
 * Lifecycle: the writer starts with the first call or {@link #start()};
 * {@link #stop(Duration)} sends what is queued within a bounded time and must run before
 * the Redis connection factory stops (the auto-configuration makes it a
 * {@code SmartLifecycle} in a phase between the web server's graceful shutdown and the
 * connection factory); {@link #close()} stops with a default bound and releases the
 * writer's connection. Keys: {@link UsageRedisKeys}.
 */
public final class RedisUsageLedger implements UsageLedger, AutoCloseable {

	/**
	 * How long {@link #close()} lets queued calls be sent if {@link #stop} did not run.
	 */
	public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

	private final InMemoryUsageLedger local;

	private final Clock clock;

	private final RedisStoreHealth health;

	private final ResourceRedis writeConnection;

	private final RedisUsageWriter writer;

	private final RedisUsageReader reader;

	private final ResourceRedis readConnection;

	public RedisUsageLedger(ResourceRedis redis, InMemoryUsageLedger local, Clock clock, Duration retention,
			int maxTrackedScopes) {
		Assert.notNull(redis, "redis must not be null");
		Assert.notNull(local, "local must not be null");
		Assert.notNull(clock, "clock must not be null");
		Assert.isTrue(retention != null && !retention.isNegative() && !retention.isZero(),
				"retention must be positive");
		Assert.isTrue(maxTrackedScopes > 0, "maxTrackedScopes must be positive");
		UsageRedisKeys keys = new UsageRedisKeys(redis.keys());
		this.local = local;
		this.clock = clock;
		this.health = new RedisStoreHealth("usage", clock);
		this.writeConnection = redis.dedicated();
		this.writer = new RedisUsageWriter(this.writeConnection, keys, this.health, retention, maxTrackedScopes);
		this.reader = new RedisUsageReader(redis, keys, clock);
		this.readConnection = redis;
	}

	@Override
	public void onUsage(UsageRecord record, CallScope scope) {
		this.local.onUsage(record, scope);
		this.writer.offer(new PendingUsage(UsageField.deltas(record), record.ledgerKey(), scope, this.clock.millis()));
	}

	/**
	 * Start the background writer now rather than with the first call, and connect both
	 * connections in the background, so that neither the first write nor the first report
	 * waits for a connection.
	 */
	public void start() {
		this.writeConnection.connectInBackground();
		this.readConnection.connectInBackground();
		this.writer.start();
	}

	/**
	 * Stop taking calls for Redis and send those queued, within a bounded time. Calls
	 * recorded afterwards count only in this instance's figures.
	 * @param maxWait how long sending may go on
	 * @return whether every call was resolved (written, failed or unknown) in time
	 */
	public boolean stop(Duration maxWait) {
		return this.writer.stop(maxWait);
	}

	/**
	 * Return the health of the Redis store, shared by reads and writes.
	 * @return the health
	 */
	public RedisStoreHealth health() {
		return this.health;
	}

	/**
	 * Return how many Redis round trips failed, reads and writes.
	 * @return the count
	 */
	public long failedOperations() {
		return this.health.failures();
	}

	/**
	 * Return how many recorded calls wait to be written to Redis, queued or in a batch
	 * being sent.
	 * @return the count
	 */
	public long pendingWrites() {
		return this.writer.pending();
	}

	/**
	 * Return how many recorded calls wait in the writer's queue, not yet merged into a
	 * batch; for tests.
	 * @return the count
	 */
	int queuedWrites() {
		return this.writer.queued();
	}

	/**
	 * Return how many recorded calls Redis confirmed.
	 * @return the count
	 */
	public long writtenCalls() {
		return this.writer.written();
	}

	/**
	 * Return how many recorded calls were certainly not written to Redis (queue full, or
	 * still queued at shutdown); they are counted only in this instance's figures.
	 * @return the count
	 */
	public long failedWrites() {
		return this.writer.failed();
	}

	/**
	 * Return how many recorded calls were sent to Redis without an answer until they were
	 * given up: they may or may not be in the fleet-wide figures.
	 * @return the count
	 */
	public long unknownWrites() {
		return this.writer.unknown();
	}

	@Override
	public UsageReport report(int topScopes) {
		try {
			FleetUsage fleet = this.reader.report(topScopes);
			this.health.succeeded();
			return new UsageReport(status(true), fleet.global(), fleet.models(), fleet.scopes(),
					fleet.unpricedModels());
		}
		catch (RedisUnavailableException ex) {
			this.health.failed(ex);
			UsageReport local = this.local.report(topScopes);
			return new UsageReport(status(false), local.global(), local.models(), local.scopes(),
					local.unpricedModels());
		}
	}

	@Override
	public Optional<UsageSummary> scope(ScopeType type, String id) {
		try {
			UsageSummary summary = this.reader.scope(type, id);
			this.health.succeeded();
			return (summary.total().calls() > 0) ? Optional.of(summary) : Optional.empty();
		}
		catch (RedisUnavailableException ex) {
			this.health.failed(ex);
			return this.local.scope(type, id);
		}
	}

	private StoreStatus status(boolean fromRedis) {
		return new StoreStatus("redis", fromRedis, this.health.degraded() || !fromRedis, pendingWrites(),
				failedWrites(), unknownWrites(), this.health.lastError());
	}

	@Override
	public void close() {
		try {
			this.writer.stop(DEFAULT_STOP_TIMEOUT);
		}
		finally {
			this.writeConnection.close();
		}
	}

}
