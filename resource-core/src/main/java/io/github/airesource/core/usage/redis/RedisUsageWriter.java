package io.github.airesource.core.usage.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.airesource.core.redis.RedisScript;
import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.ledger.UsageField;
import io.github.airesource.core.usage.redis.UsageBatch.Counter;
import io.github.airesource.core.usage.redis.UsageBatch.DimensionWrite;
import io.github.airesource.core.usage.redis.UsageBatch.IndexWrite;
import io.github.airesource.core.usage.redis.UsageBatch.SlotWrite;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.lang.Nullable;

/**
 * Writes recorded calls to Redis behind the callers' backs: callers only queue, one
 * background thread sends.
 *
 * <p>
 * The thread takes as many queued calls as fit in one batch ({@value #MAX_COMMANDS} Redis
 * commands), merges them per key and sends one script per hash slot, all pipelined in one
 * round trip, each adding its increments and setting its keys' TTLs atomically. While
 * Redis cannot be reached the batch waits, and between its attempts the thread merges the
 * calls queued meanwhile into the next batch, per key: calls by users already in it add
 * no commands, so an outage of any length fits as long as that batch stays within
 * {@value #MAX_COMMANDS} commands. Only beyond that do calls queue up (at most
 * {@value #QUEUE_CAPACITY}; more are not written and count as failed). A script whose
 * answer did not arrive may or may not have been applied; it is sent again, and its batch
 * number lets Redis skip it if it was ({@code write-usage.lua}). After
 * {@link #RETRY_HORIZON} without an answer its calls count as unknown.
 *
 * <p>
 * Every accepted call ends in exactly one of written, failed (certainly not written) or
 * unknown, and until then it is pending; the counts are exact at all times.
 *
 * <p>
 * {@link #stop(Duration)} stops taking calls and sends what is queued, within the given
 * time, without interrupting a round trip in flight; it stops early when Redis fails,
 * since waiting for a Redis that is down would only delay shutdown.
 */
final class RedisUsageWriter {

	private static final Log logger = LogFactory.getLog(RedisUsageWriter.class);

	/**
	 * Most calls queued behind a full backlog while Redis is away, about 200 bytes each
	 * (10 MB at most): calls refused while Redis is down are recorded too, at the rate
	 * the callers retry, and an idle two-core machine refused 6,000 calls a second per
	 * instance in the soak test's outages, which outran 10,000.
	 */
	static final int QUEUE_CAPACITY = 50_000;

	static final int MAX_COMMANDS = 20_000;

	/** How long Redis remembers the batches a writer applied. */
	static final Duration APPLIED_TTL = Duration.ofMinutes(10);

	/**
	 * How long a batch without an answer is repeated; well within {@link #APPLIED_TTL}.
	 */
	static final Duration RETRY_HORIZON = Duration.ofMinutes(5);

	/** How often queued calls are merged into the backlog while Redis is out of reach. */
	static final Duration BACKLOG_DRAIN = Duration.ofMillis(50);

	private static final RedisScript WRITE = RedisScript.fromClassPath(RedisUsageWriter.class, "write-usage.lua");

	private static final RedisScript WRITE_INDEX = RedisScript.fromClassPath(RedisUsageWriter.class,
			"write-usage-index.lua");

	private static final byte[][] FIELD_NAMES = fieldNames();

	private final ResourceRedis redis;

	private final UsageRedisKeys keys;

	private final RedisStoreHealth health;

	private final long retentionMillis;

	private final int maxTrackedScopes;

	private final byte[] writerId = ResourceRedis.bytes(newWriterId());

	private final BlockingQueue<PendingUsage> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

	private final AtomicLong pending = new AtomicLong();

	private final AtomicLong written = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong unknown = new AtomicLong();

	private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

	private final CountDownLatch stopRequested = new CountDownLatch(1);

	private final CountDownLatch finished = new CountDownLatch(1);

	private volatile long stopDeadline;

	private long nextSequence = 1;

	private volatile Thread thread;

	RedisUsageWriter(ResourceRedis redis, UsageRedisKeys keys, RedisStoreHealth health, Duration retention,
			int maxTrackedScopes) {
		this.redis = redis;
		this.keys = keys;
		this.health = health;
		this.retentionMillis = retention.toMillis();
		this.maxTrackedScopes = maxTrackedScopes;
	}

	/**
	 * Queue a call; never blocks.
	 * @param usage the call
	 * @return whether it was accepted; if not, it is counted as failed
	 */
	boolean offer(PendingUsage usage) {
		if (this.state.get().compareTo(State.RUNNING) > 0 || !this.queue.offer(usage)) {
			this.failed.incrementAndGet();
			return false;
		}
		this.pending.incrementAndGet();
		if (this.state.get() == State.STOPPED && this.queue.remove(usage)) {
			// Stopped between the check and the offer: the final drain may have missed
			// it.
			this.pending.decrementAndGet();
			this.failed.incrementAndGet();
			return false;
		}
		start();
		return true;
	}

	/**
	 * Start the writer thread, if not started yet.
	 */
	void start() {
		if (this.state.compareAndSet(State.NEW, State.RUNNING)) {
			Thread writer = new Thread(this::run, "airesource-usage-redis");
			writer.setDaemon(true);
			this.thread = writer;
			writer.start();
		}
	}

	/**
	 * Stop taking calls and send those queued, within a bounded time.
	 * @param maxWait how long sending may go on
	 * @return whether every accepted call was resolved before the time was up
	 */
	boolean stop(Duration maxWait) {
		this.stopDeadline = System.nanoTime() + maxWait.toNanos();
		State previous = this.state.getAndUpdate((current) -> (current == State.STOPPED) ? current : State.STOPPING);
		if (previous == State.STOPPED) {
			return this.pending.get() == 0;
		}
		this.stopRequested.countDown();
		Thread writer = this.thread;
		if (previous == State.NEW && !this.queue.isEmpty()) {
			// Calls queued before start: send them on this thread.
			run();
		}
		else if (writer != null) {
			try {
				// A round trip in flight ends within the Redis timeout; it is never
				// interrupted.
				this.finished.await(maxWait.plus(this.redis.timeout()).toMillis() + 100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.state.set(State.STOPPED);
		if (this.finished.getCount() == 0 || writer == null) {
			countUnsent();
		}
		return this.pending.get() == 0;
	}

	long pending() {
		return this.pending.get();
	}

	/**
	 * Return how many calls are queued, not yet merged into a batch.
	 * @return the count
	 */
	int queued() {
		return this.queue.size();
	}

	long written() {
		return this.written.get();
	}

	long failed() {
		return this.failed.get();
	}

	long unknown() {
		return this.unknown.get();
	}

	private void run() {
		UsageBatch batch = null;
		// Calls that came while the batch waited for Redis, merged; never sent yet.
		UsageBatch backlog = null;
		long firstSentAt = 0;
		try {
			while (true) {
				boolean stopping = this.state.get() != State.RUNNING;
				if (stopping && System.nanoTime() - this.stopDeadline > 0) {
					break;
				}
				if (batch == null) {
					batch = (backlog != null) ? fill(backlog) : nextBatch(stopping);
					backlog = null;
					firstSentAt = 0;
					if (batch == null) {
						if (stopping) {
							break;
						}
						continue;
					}
				}
				Outcome outcome = send(batch);
				if (outcome == Outcome.APPLIED) {
					resolve(batch, this.written);
					batch = null;
					continue;
				}
				if (outcome == Outcome.UNKNOWN) {
					firstSentAt = (firstSentAt != 0) ? firstSentAt : System.nanoTime();
					if (System.nanoTime() - firstSentAt > RETRY_HORIZON.toNanos()) {
						logger.warn("Usage batch of " + batch.calls() + " calls had no answer from Redis for "
								+ RETRY_HORIZON + "; they are counted as unknown");
						resolve(batch, this.unknown);
						batch = null;
						continue;
					}
				}
				if (stopping) {
					// Redis fails while stopping: do not hold shutdown up for it.
					break;
				}
				backlog = waitToRetry(backlog);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			logger.error("Usage writer stopped unexpectedly", ex);
		}
		finally {
			if (batch != null) {
				resolve(batch, anySent(batch) ? this.unknown : this.failed);
			}
			if (backlog != null) {
				logger.warn(backlog.calls() + " recorded calls were not written to Redis before shutdown");
				resolve(backlog, this.failed);
			}
			this.finished.countDown();
		}
	}

	/**
	 * Wait a Redis timeout before sending a batch again, unless a stop asks for one last
	 * attempt now, and meanwhile merge what is queued into the backlog every
	 * {@link #BACKLOG_DRAIN}, so that the queue holds only the calls of a moment.
	 * @param backlog the calls waiting behind the batch, or {@code null}
	 * @return the backlog
	 */
	@Nullable
	private UsageBatch waitToRetry(@Nullable UsageBatch backlog) throws InterruptedException {
		long until = System.nanoTime() + this.redis.timeout().toNanos();
		while (true) {
			backlog = (backlog != null) ? fill(backlog) : nextBatch(true);
			long left = until - System.nanoTime();
			if (left <= 0 || this.stopRequested.await(Math.min(left, BACKLOG_DRAIN.toNanos()), TimeUnit.NANOSECONDS)) {
				return backlog;
			}
		}
	}

	private UsageBatch nextBatch(boolean stopping) throws InterruptedException {
		// A short poll, so that a stop is noticed soon without interrupting a round trip.
		PendingUsage first = stopping ? this.queue.poll() : this.queue.poll(100, TimeUnit.MILLISECONDS);
		if (first == null) {
			return null;
		}
		UsageBatch batch = new UsageBatch(this.nextSequence++, this.keys, this.retentionMillis);
		batch.add(first, MAX_COMMANDS);
		return fill(batch);
	}

	/**
	 * Add queued calls to a batch that was never sent, as many as fit.
	 */
	private UsageBatch fill(UsageBatch batch) {
		PendingUsage next;
		// Only this thread takes from the queue, so what it peeks at is what it polls.
		while ((next = this.queue.peek()) != null && batch.add(next, MAX_COMMANDS)) {
			this.queue.poll();
		}
		return batch;
	}

	private Outcome send(UsageBatch batch) {
		RedisClusterAsyncCommands<byte[], byte[]> commands;
		try {
			commands = this.redis.commands();
		}
		catch (RedisUnavailableException ex) {
			this.health.failed(ex);
			return Outcome.NOT_SENT;
		}
		List<SlotWrite> writes = new ArrayList<>();
		List<CompletableFuture<Object>> results = new ArrayList<>();
		for (SlotWrite write : batch.writes()) {
			if (!write.applied()) {
				writes.add(write);
				results.add(script(commands, batch.sequence(), write));
				write.markSent();
			}
		}
		RuntimeException failure = awaitEach(writes, results);
		if (failure != null) {
			this.health.failed(failure);
			return Outcome.UNKNOWN;
		}
		this.health.succeeded();
		return Outcome.APPLIED;
	}

	private CompletableFuture<Object> script(RedisClusterAsyncCommands<byte[], byte[]> commands, long sequence,
			SlotWrite write) {
		List<byte[]> keys = new ArrayList<>();
		List<byte[]> args = new ArrayList<>();
		args.add(this.writerId);
		args.add(number(sequence));
		args.add(number(APPLIED_TTL.toMillis()));
		if (write instanceof DimensionWrite dimension) {
			keys.add(UsageRedisKeys.applied(dimension.group()));
			args.add(number(FIELD_NAMES.length));
			args.addAll(List.of(FIELD_NAMES));
			dimension.counters().forEach((key, counter) -> {
				keys.add(key.bytes());
				addCounter(args, counter);
			});
			return WRITE.run(commands, ScriptOutputType.INTEGER, keys.toArray(byte[][]::new),
					args.toArray(byte[][]::new));
		}
		IndexWrite index = (IndexWrite) write;
		keys.add(UsageRedisKeys.applied(this.keys.index()));
		keys.add(this.keys.models());
		args.add(number(this.retentionMillis));
		args.add(number(this.maxTrackedScopes));
		args.add(number(index.models().size()));
		index.models().forEach((model) -> args.add(ResourceRedis.bytes(model)));
		for (Map.Entry<ScopeType, Map<String, Long>> costs : index.costs().entrySet()) {
			keys.add(this.keys.top(costs.getKey()));
			args.add(number(costs.getValue().size()));
			costs.getValue().forEach((id, nanos) -> {
				args.add(ResourceRedis.bytes(id));
				// Minus the cost: ZRANGE then lists the most expensive first, equal costs
				// by id.
				args.add(number(-nanos));
			});
		}
		return WRITE_INDEX.run(commands, ScriptOutputType.INTEGER, keys.toArray(byte[][]::new),
				args.toArray(byte[][]::new));
	}

	private static void addCounter(List<byte[]> args, Counter counter) {
		args.add(number(counter.ttlMillis()));
		for (long delta : counter.deltas()) {
			args.add(number(delta));
		}
	}

	/**
	 * Wait for every script within one Redis timeout and note which were applied.
	 * @return the first failure, or {@code null} if all were applied
	 */
	private RuntimeException awaitEach(List<SlotWrite> writes, List<CompletableFuture<Object>> results) {
		long deadline = System.nanoTime() + this.redis.timeout().toNanos();
		RuntimeException failure = null;
		for (int i = 0; i < writes.size(); i++) {
			CompletableFuture<Object> result = results.get(i);
			try {
				result.get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
				writes.get(i).markApplied();
			}
			catch (TimeoutException ex) {
				result.cancel(true);
				failure = (failure != null) ? failure
						: new RedisUnavailableException("Redis did not answer within " + this.redis.timeout(), ex);
			}
			catch (ExecutionException ex) {
				failure = (failure != null) ? failure
						: new RedisUnavailableException("Redis failed: " + ex.getCause(), ex.getCause());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				failure = (failure != null) ? failure
						: new RedisUnavailableException("Interrupted while waiting for Redis", ex);
			}
		}
		return failure;
	}

	private static boolean anySent(UsageBatch batch) {
		return batch.writes().stream().anyMatch(SlotWrite::sent);
	}

	private void resolve(UsageBatch batch, AtomicLong outcome) {
		outcome.addAndGet(batch.calls());
		this.pending.addAndGet(-batch.calls());
	}

	private void countUnsent() {
		List<PendingUsage> left = new ArrayList<>();
		this.queue.drainTo(left);
		if (!left.isEmpty()) {
			logger.warn(left.size() + " recorded calls were not written to Redis before shutdown");
			this.failed.addAndGet(left.size());
			this.pending.addAndGet(-left.size());
		}
	}

	private static byte[] number(long value) {
		return ResourceRedis.bytes(Long.toString(value));
	}

	private static byte[][] fieldNames() {
		UsageField[] fields = UsageField.values();
		byte[][] names = new byte[fields.length][];
		for (int i = 0; i < fields.length; i++) {
			names[i] = ResourceRedis.bytes(fields[i].key());
		}
		return names;
	}

	private static String newWriterId() {
		byte[] id = new byte[9];
		ThreadLocalRandom.current().nextBytes(id);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
	}

	private enum State {

		NEW, RUNNING, STOPPING, STOPPED

	}

	private enum Outcome {

		/** Every script of the batch was applied. */
		APPLIED,

		/** Some were sent without an answer: they may have been applied. */
		UNKNOWN,

		/** Redis could not be reached; nothing was sent. */
		NOT_SENT

	}

}
