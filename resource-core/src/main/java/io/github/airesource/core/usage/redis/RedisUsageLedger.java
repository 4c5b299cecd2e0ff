package io.github.airesource.core.usage.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageField;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.core.usage.ledger.UsageReport.ScopeReport;
import io.github.airesource.core.usage.ledger.UsageReport.ScopeUsage;
import io.github.airesource.core.usage.ledger.UsageReport.StoreStatus;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.ledger.UsageWindow;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.util.Assert;

/**
 * A ledger whose counters live in Redis, so every instance that shares the Redis reports
 * the usage of all of them.
 *
 * <p>
 * Recording never touches Redis on the caller's thread: each call is added to this
 * instance's {@link InMemoryUsageLedger} and queued; one background writer drains the
 * queue and sends everything it took in one pipelined round trip (so at most one per
 * call, fewer under load). While Redis cannot be reached, nothing is sent and the calls
 * wait (up to {@value #QUEUE_CAPACITY}) to be sent when it is back; a round trip that was
 * sent but failed or timed out is not repeated, since Redis may have applied part of it,
 * and its calls count as failed writes. Either way every call stays in this instance's
 * figures, failures are counted, and the report says the store is degraded. Reports read
 * Redis within the configured timeout and fall back to this instance's figures when it
 * does not answer.
 *
 * <p>
 * Keys, all under the configured prefix and all with a TTL: {@code usage:<dim>} hashes of
 * totals (kept for the retention after their last update),
 * {@code usage:<dim>:<window>:<bucket>} hashes per window bucket (kept as long as their
 * window needs them), {@code usage:models} and the {@code usage:top:<type>} sorted sets
 * of scopes by cost, trimmed to the tracked scope limit. A {@code <dim>} is
 * {@code global}, {@code model:<name>}, {@code tenant:<id>} or {@code user:<id>}.
 */
public final class RedisUsageLedger implements UsageLedger, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisUsageLedger.class);

	private static final int QUEUE_CAPACITY = 10_000;

	private static final int MAX_BATCH = 1_000;

	private static final UsageWindow[] WINDOWS = UsageWindow.values();

	private final ResourceRedis redis;

	private final InMemoryUsageLedger local;

	private final Clock clock;

	private final Duration retention;

	private final int maxTrackedScopes;

	private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

	private final AtomicBoolean writerStarted = new AtomicBoolean();

	private final AtomicLong failedWrites = new AtomicLong();

	private final AtomicLong failedOperations = new AtomicLong();

	private final Deque<Pending> unsent = new ArrayDeque<>();

	private volatile int unsentCount;

	private volatile boolean degraded;

	private volatile String lastError;

	private volatile boolean closed;

	private volatile Thread writer;

	public RedisUsageLedger(ResourceRedis redis, InMemoryUsageLedger local, Clock clock, Duration retention,
			int maxTrackedScopes) {
		Assert.notNull(redis, "redis must not be null");
		Assert.notNull(local, "local must not be null");
		Assert.isTrue(maxTrackedScopes > 0, "maxTrackedScopes must be positive");
		this.redis = redis;
		this.local = local;
		this.clock = clock;
		this.retention = retention;
		this.maxTrackedScopes = maxTrackedScopes;
	}

	@Override
	public void onUsage(UsageRecord record, CallScope scope) {
		this.local.onUsage(record, scope);
		if (this.closed || !this.queue
			.offer(new Pending(UsageField.deltas(record), record.model(), scope, this.clock.millis()))) {
			failed(1, "usage write queue full or closed");
			return;
		}
		startWriter();
	}

	/**
	 * Return how many recorded calls could not be written to Redis; they are counted only
	 * in this instance's figures.
	 * @return the count
	 */
	public long failedWrites() {
		return this.failedWrites.get();
	}

	/**
	 * Return how many Redis round trips failed, reads and writes.
	 * @return the count
	 */
	public long failedOperations() {
		return this.failedOperations.get();
	}

	/**
	 * Return how many recorded calls wait to be written to Redis.
	 * @return the count
	 */
	public long pendingWrites() {
		return this.queue.size() + this.unsentCount;
	}

	@Override
	public UsageReport report(int topScopes) {
		try {
			RedisClusterAsyncCommands<byte[], byte[]> commands = this.redis.commands();
			Future<Set<byte[]>> modelNames = commands.smembers(this.redis.key("usage:models"));
			Map<ScopeType, Future<List<String>>> tops = new LinkedHashMap<>();
			Map<ScopeType, Future<Long>> tracked = new LinkedHashMap<>();
			for (ScopeType type : InMemoryUsageLedger.TRACKED_TYPES) {
				byte[] key = topKey(type);
				tops.put(type,
						commands.zrevrangeWithScores(key, 0, Math.max(topScopes, 1) - 1L)
							.thenApply(RedisUsageLedger::scopeIds)
							.toCompletableFuture());
				tracked.put(type, commands.zcard(key));
			}
			Set<String> models = new TreeSet<>();
			this.redis.await(modelNames).forEach((name) -> models.add(string(name)));
			long now = this.clock.millis();
			SummaryReads global = read(commands, "global", now);
			Map<String, SummaryReads> modelReads = new TreeMap<>();
			models.forEach((model) -> modelReads.put(model, read(commands, "model:" + model, now)));
			Map<ScopeType, List<ScopeUsageRead>> scopeReads = new LinkedHashMap<>();
			for (ScopeType type : InMemoryUsageLedger.TRACKED_TYPES) {
				List<ScopeUsageRead> reads = new ArrayList<>();
				List<String> ids = this.redis.await(tops.get(type));
				for (String id : ids.subList(0, Math.min(topScopes, ids.size()))) {
					reads.add(new ScopeUsageRead(id, read(commands, type.value() + ":" + id, now)));
				}
				scopeReads.put(type, reads);
			}
			Map<String, UsageSummary> byModel = new TreeMap<>();
			List<String> unpriced = new ArrayList<>();
			for (Map.Entry<String, SummaryReads> entry : modelReads.entrySet()) {
				UsageSummary summary = entry.getValue().await(this.redis);
				byModel.put(entry.getKey(), summary);
				if (summary.total().unpricedCalls() > 0) {
					unpriced.add(entry.getKey());
				}
			}
			Map<String, ScopeReport> scopes = new LinkedHashMap<>();
			for (Map.Entry<ScopeType, List<ScopeUsageRead>> entry : scopeReads.entrySet()) {
				List<ScopeUsage> top = new ArrayList<>();
				for (ScopeUsageRead read : entry.getValue()) {
					top.add(new ScopeUsage(read.id(), read.reads().await(this.redis)));
				}
				scopes.put(entry.getKey().value(),
						new ScopeReport(this.redis.await(tracked.get(entry.getKey())), List.copyOf(top)));
			}
			UsageSummary globalSummary = global.await(this.redis);
			succeeded();
			return new UsageReport(status(true), globalSummary, byModel, scopes, List.copyOf(unpriced));
		}
		catch (RedisUnavailableException ex) {
			failedOperation(ex);
			UsageReport local = this.local.report(topScopes);
			return new UsageReport(status(false), local.global(), local.models(), local.scopes(),
					local.unpricedModels());
		}
	}

	@Override
	public Optional<UsageSummary> scope(ScopeType type, String id) {
		String dim = (type == ScopeType.GLOBAL) ? "global" : type.value() + ":" + id;
		try {
			RedisClusterAsyncCommands<byte[], byte[]> commands = this.redis.commands();
			UsageSummary summary = read(commands, dim, this.clock.millis()).await(this.redis);
			succeeded();
			return (summary.total().calls() > 0) ? Optional.of(summary) : Optional.empty();
		}
		catch (RedisUnavailableException ex) {
			failedOperation(ex);
			return this.local.scope(type, id);
		}
	}

	private StoreStatus status(boolean fromRedis) {
		long pending = pendingWrites();
		return new StoreStatus("redis", fromRedis, this.degraded || !fromRedis || pending > 0, pending,
				this.failedWrites.get(), this.lastError);
	}

	private SummaryReads read(RedisClusterAsyncCommands<byte[], byte[]> commands, String dim, long now) {
		Future<Map<byte[], byte[]>> total = commands.hgetall(totalKey(dim));
		List<List<Future<Map<byte[], byte[]>>>> windows = new ArrayList<>();
		for (UsageWindow window : WINDOWS) {
			long current = window.bucketOf(now);
			List<Future<Map<byte[], byte[]>>> buckets = new ArrayList<>();
			for (long bucket = current; bucket > current - window.buckets(); bucket--) {
				buckets.add(commands.hgetall(bucketKey(dim, window, bucket)));
			}
			windows.add(buckets);
		}
		return new SummaryReads(total, windows);
	}

	private void startWriter() {
		if (this.writerStarted.compareAndSet(false, true)) {
			Thread thread = new Thread(this::writeLoop, "airesource-usage-redis");
			thread.setDaemon(true);
			this.writer = thread;
			thread.start();
		}
	}

	private void writeLoop() {
		while (!this.closed) {
			try {
				long wait = this.unsent.isEmpty() ? 1000 : this.redis.timeout().toMillis();
				Pending next = this.queue.poll(wait, TimeUnit.MILLISECONDS);
				if (next != null) {
					this.unsent.add(next);
				}
				this.queue.drainTo(this.unsent, Math.max(0, QUEUE_CAPACITY - this.unsent.size()));
				sendUnsent();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				logger.warn("Usage writer failed", ex);
			}
		}
	}

	/**
	 * Send waiting calls in batches until all are sent or Redis cannot be reached. Only
	 * the writer thread (or {@link #close()}, after it stopped) calls this.
	 */
	private void sendUnsent() {
		while (!this.unsent.isEmpty()) {
			List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH, this.unsent.size()));
			this.unsent.stream().limit(MAX_BATCH).forEach(batch::add);
			Sent sent = write(batch);
			if (sent == Sent.NOTHING) {
				break;
			}
			batch.forEach((pending) -> this.unsent.pollFirst());
			if (sent == Sent.FAILED) {
				this.failedWrites.addAndGet(batch.size());
			}
		}
		this.unsentCount = this.unsent.size();
	}

	private Sent write(List<Pending> batch) {
		Map<String, long[]> hashes = new LinkedHashMap<>();
		Map<String, Duration> ttls = new LinkedHashMap<>();
		Map<ScopeType, Map<String, Long>> costs = new LinkedHashMap<>();
		Set<String> models = new TreeSet<>();
		for (Pending pending : batch) {
			List<String> dims = new ArrayList<>(List.of("global", "model:" + pending.model()));
			for (ScopeType type : InMemoryUsageLedger.TRACKED_TYPES) {
				String id = pending.scope().idOf(type);
				dims.add(type.value() + ":" + id);
				costs.computeIfAbsent(type, (key) -> new LinkedHashMap<>())
					.merge(id, pending.deltas()[UsageField.COST_NANOS.ordinal()], Long::sum);
			}
			models.add(pending.model());
			for (String dim : dims) {
				addTo(hashes, ttls, "usage:" + dim, this.retention, pending.deltas());
				for (UsageWindow window : WINDOWS) {
					addTo(hashes, ttls, bucketSuffix(dim, window, window.bucketOf(pending.atMillis())),
							window.retention(), pending.deltas());
				}
			}
		}
		RedisClusterAsyncCommands<byte[], byte[]> commands;
		try {
			commands = this.redis.commands();
		}
		catch (RedisUnavailableException ex) {
			failedOperation(ex);
			return Sent.NOTHING;
		}
		try {
			List<Future<?>> futures = new ArrayList<>();
			hashes.forEach((suffix, deltas) -> {
				byte[] key = this.redis.key(suffix);
				for (UsageField field : UsageField.values()) {
					if (deltas[field.ordinal()] != 0) {
						futures.add(commands.hincrby(key, ResourceRedis.bytes(field.key()), deltas[field.ordinal()]));
					}
				}
				futures.add(commands.pexpire(key, ttls.get(suffix).toMillis()));
			});
			byte[] modelsKey = this.redis.key("usage:models");
			futures.add(commands.sadd(modelsKey, models.stream().map(ResourceRedis::bytes).toArray(byte[][]::new)));
			futures.add(commands.pexpire(modelsKey, this.retention.toMillis()));
			costs.forEach((type, byId) -> {
				byte[] key = topKey(type);
				byId.forEach((id, nanos) -> futures.add(commands.zincrby(key, nanos, ResourceRedis.bytes(id))));
				futures.add(commands.zremrangebyrank(key, 0, -(this.maxTrackedScopes + 1L)));
				futures.add(commands.pexpire(key, this.retention.toMillis()));
			});
			this.redis.awaitAll(futures);
			succeeded();
			return Sent.ALL;
		}
		catch (RedisUnavailableException ex) {
			failedOperation(ex);
			return Sent.FAILED;
		}
	}

	private static void addTo(Map<String, long[]> hashes, Map<String, Duration> ttls, String suffix, Duration ttl,
			long[] deltas) {
		long[] sums = hashes.computeIfAbsent(suffix, (key) -> new long[deltas.length]);
		for (int i = 0; i < deltas.length; i++) {
			sums[i] += deltas[i];
		}
		ttls.put(suffix, ttl);
	}

	private byte[] totalKey(String dim) {
		return this.redis.key("usage:" + dim);
	}

	private byte[] bucketKey(String dim, UsageWindow window, long bucket) {
		return this.redis.key(bucketSuffix(dim, window, bucket));
	}

	private static String bucketSuffix(String dim, UsageWindow window, long bucket) {
		return "usage:" + dim + ":" + window.key() + ":" + bucket;
	}

	private byte[] topKey(ScopeType type) {
		return this.redis.key("usage:top:" + type.value());
	}

	private void failed(int records, String error) {
		this.failedWrites.addAndGet(records);
		this.degraded = true;
		this.lastError = error;
	}

	private enum Sent {

		/** Redis could not be reached; nothing left this instance. */
		NOTHING,

		/** Sent but failed or timed out; part of it may have been applied. */
		FAILED,

		/** Applied. */
		ALL

	}

	private void failedOperation(RedisUnavailableException ex) {
		this.failedOperations.incrementAndGet();
		this.degraded = true;
		this.lastError = ex.getMessage();
		logger.debug("Redis usage store failed", ex);
	}

	private void succeeded() {
		this.degraded = false;
	}

	private static List<String> scopeIds(List<ScoredValue<byte[]>> values) {
		return values.stream().map((value) -> string(value.getValue())).toList();
	}

	private static String string(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

	@Override
	public void close() {
		this.closed = true;
		Thread thread = this.writer;
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(this.redis.timeout().toMillis() * 4);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		// The writer has stopped: send what is left once, and count what cannot be sent.
		this.queue.drainTo(this.unsent);
		try {
			sendUnsent();
		}
		catch (RuntimeException ex) {
			logger.debug("Final usage write failed", ex);
		}
		this.failedWrites.addAndGet(this.unsent.size());
		this.unsent.clear();
		this.unsentCount = 0;
	}

	private record Pending(long[] deltas, String model, CallScope scope, long atMillis) {
	}

	private record ScopeUsageRead(String id, SummaryReads reads) {
	}

	/**
	 * The pending reads of one summary: a totals hash and the buckets of each window.
	 */
	private record SummaryReads(Future<Map<byte[], byte[]>> total, List<List<Future<Map<byte[], byte[]>>>> windows) {

		UsageSummary await(ResourceRedis redis) {
			long[] totals = values(redis.await(this.total));
			long[][] sums = new long[WINDOWS.length][];
			for (int w = 0; w < WINDOWS.length; w++) {
				sums[w] = new long[UsageField.values().length];
				for (Future<Map<byte[], byte[]>> bucket : this.windows.get(w)) {
					long[] values = values(redis.await(bucket));
					for (int f = 0; f < values.length; f++) {
						sums[w][f] += values[f];
					}
				}
			}
			return new UsageSummary(UsageField.totals(totals), UsageField.totals(sums[0]), UsageField.totals(sums[1]),
					UsageField.totals(sums[2]));
		}

		private static long[] values(Map<byte[], byte[]> hash) {
			long[] values = new long[UsageField.values().length];
			hash.forEach((key, value) -> {
				UsageField field = UsageField.ofKey(string(key));
				if (field != null) {
					values[field.ordinal()] = Long.parseLong(string(value));
				}
			});
			return values;
		}

	}

}
