package io.github.airesource.core.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * The library's access to Redis: Lettuce commands over the application's
 * {@link LettuceConnectionFactory}, every key built by one {@link RedisKeys}, every wait
 * bounded by one timeout.
 *
 * <p>
 * Connecting is lazy and happens on a background thread, because opening a connection to
 * a Redis that is down blocks for the client's connect timeout (10 seconds by default);
 * callers wait at most {@link #timeout()} for it and then get a
 * {@link RedisUnavailableException}. While the connection is down (Lettuce reconnects by
 * itself), {@link #commands()} fails at once instead of letting commands pile up in
 * Lettuce's buffer, and the connection is looked up again at most once per timeout
 * period. Commands are sent asynchronously (Lettuce pipelines them on the connection) and
 * awaited with the same bound; commands that time out are cancelled.
 *
 * <p>
 * By default commands share the factory's native connection with the application.
 * {@link #dedicated()} gives a sibling with a connection of its own, for background
 * traffic such as the usage write-behind, whose large batches must not queue the
 * application's own commands behind them.
 */
public final class ResourceRedis implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ResourceRedis.class);

	private final RedisConnectionFactory connectionFactory;

	private final RedisKeys keys;

	private final Duration timeout;

	private final boolean dedicated;

	private final AtomicReference<Attempt> attempt = new AtomicReference<>();

	private volatile ExecutorService connector;

	public ResourceRedis(RedisConnectionFactory connectionFactory, String keyPrefix, Duration timeout) {
		this(connectionFactory, new RedisKeys(keyPrefix), timeout, false);
	}

	private ResourceRedis(RedisConnectionFactory connectionFactory, RedisKeys keys, Duration timeout,
			boolean dedicated) {
		Assert.notNull(connectionFactory, "connectionFactory must not be null");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
		this.connectionFactory = connectionFactory;
		this.keys = keys;
		this.timeout = timeout;
		this.dedicated = dedicated;
	}

	/**
	 * Return a sibling with the same keys and timeout whose commands use a connection of
	 * its own. The caller closes it.
	 * @return the dedicated access
	 */
	public ResourceRedis dedicated() {
		return new ResourceRedis(this.connectionFactory, this.keys, this.timeout, true);
	}

	/**
	 * Whether the connection factory is Lettuce's, the only client this class can use.
	 * @return whether commands can be sent
	 */
	public boolean isLettuce() {
		return this.connectionFactory instanceof LettuceConnectionFactory;
	}

	/**
	 * Return the bound on every wait for Redis.
	 * @return the timeout
	 */
	public Duration timeout() {
		return this.timeout;
	}

	/**
	 * Return the key schema.
	 * @return the keys
	 */
	public RedisKeys keys() {
		return this.keys;
	}

	/**
	 * Return UTF-8 bytes of a string.
	 * @param value the string
	 * @return the bytes
	 */
	public static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Return the commands of an open connection, connecting first if needed. When this
	 * throws, no command was sent.
	 * @return asynchronous commands
	 * @throws RedisUnavailableException if no open connection is available within the
	 * timeout
	 */
	public RedisClusterAsyncCommands<byte[], byte[]> commands() {
		if (!isLettuce()) {
			throw new RedisUnavailableException(
					"AI Resource needs Lettuce as the Redis client, not " + this.connectionFactory.getClass().getName(),
					null);
		}
		Attempt current = currentAttempt();
		Connected connected = awaitConnection(current.result());
		if (!connected.isOpen()) {
			throw new RedisUnavailableException("The Redis connection is down; Lettuce is reconnecting", null);
		}
		return connected.commands();
	}

	/**
	 * Start connecting in the background, if not connected or connecting yet, so that the
	 * first call does not wait for it. Never blocks; a failure shows on the next call.
	 */
	public void connectInBackground() {
		if (isLettuce()) {
			try {
				currentAttempt();
			}
			catch (RedisUnavailableException ex) {
				// Closed: nothing to connect.
			}
		}
	}

	private Attempt currentAttempt() {
		Attempt current = this.attempt.get();
		if (current == null || current.mayRetry(this.timeout, this.dedicated)) {
			Attempt next = new Attempt();
			if (this.attempt.compareAndSet(current, next)) {
				try {
					connector().execute(() -> connect(next.result()));
				}
				catch (RejectedExecutionException ex) {
					next.result().completeExceptionally(ex);
				}
			}
			current = this.attempt.get();
			if (current == null) {
				throw new RedisUnavailableException("AI Resource's Redis access is closed", null);
			}
		}
		return current;
	}

	private Connected awaitConnection(CompletableFuture<Connected> connecting) {
		// Not cancelled on timeout: the attempt is shared, later callers may still use
		// it.
		return get(connecting, this.timeout.toNanos(), false);
	}

	/**
	 * Wait for a command's result.
	 * @param <T> the result type
	 * @param future the command
	 * @return the result
	 * @throws RedisUnavailableException if it fails or takes longer than the timeout
	 */
	public <T> T await(Future<T> future) {
		return get(future, this.timeout.toNanos(), true);
	}

	/**
	 * Wait for all commands of a pipeline, within one timeout for all of them.
	 * @param futures the commands
	 * @throws RedisUnavailableException if any fails or they take longer than the timeout
	 */
	public void awaitAll(Collection<? extends Future<?>> futures) {
		long deadline = System.nanoTime() + this.timeout.toNanos();
		try {
			for (Future<?> future : futures) {
				get(future, Math.max(deadline - System.nanoTime(), 0), true);
			}
		}
		catch (RedisUnavailableException ex) {
			futures.forEach((each) -> each.cancel(true));
			throw ex;
		}
	}

	/**
	 * Bound a command that the caller does not wait for by the same timeout as
	 * {@link #await}, and fail it the same way: for work whose result only needs to reach
	 * Redis, such as a settlement after the call has answered. A command that times out
	 * is cancelled, so that Lettuce never sends one it still holds.
	 * @param <T> the result type
	 * @param command the command
	 * @return its result, or a {@link RedisUnavailableException} when it fails or takes
	 * longer than the timeout
	 */
	public <T> CompletableFuture<T> bounded(CompletableFuture<T> command) {
		CompletableFuture<T> result = new CompletableFuture<>();
		command.copy().orTimeout(this.timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((value, ex) -> {
			if (ex == null) {
				result.complete(value);
				return;
			}
			Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof TimeoutException || cause instanceof CancellationException) {
				command.cancel(true);
				result.completeExceptionally(
						new RedisUnavailableException("Redis did not answer within " + this.timeout, cause));
			}
			else {
				result.completeExceptionally(RedisUnavailableException.of(cause));
			}
		});
		return result;
	}

	private <T> T get(Future<T> future, long nanos, boolean cancelOnTimeout) {
		try {
			return future.get(nanos, TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException | CancellationException ex) {
			if (cancelOnTimeout) {
				future.cancel(true);
			}
			throw new RedisUnavailableException("Redis did not answer within " + this.timeout, ex);
		}
		catch (ExecutionException ex) {
			throw new RedisUnavailableException("Redis failed: " + ex.getCause(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisUnavailableException("Interrupted while waiting for Redis", ex);
		}
	}

	private ExecutorService connector() {
		ExecutorService executor = this.connector;
		if (executor == null) {
			synchronized (this) {
				if (this.connector == null) {
					this.connector = Executors.newSingleThreadExecutor((task) -> {
						Thread thread = new Thread(task, "airesource-redis-connect");
						thread.setDaemon(true);
						return thread;
					});
				}
				executor = this.connector;
			}
		}
		return executor;
	}

	private void connect(CompletableFuture<Connected> result) {
		try {
			result.complete(this.dedicated ? connectDedicated() : connectShared());
		}
		catch (RuntimeException ex) {
			result.completeExceptionally(ex);
		}
	}

	private Connected connectShared() {
		LettuceConnection connection = (LettuceConnection) this.connectionFactory.getConnection();
		RedisClusterAsyncCommands<byte[], byte[]> commands = connection.getNativeConnection();
		return new Connected(commands, connection::close, commands::isOpen);
	}

	private Connected connectDedicated() {
		AbstractRedisClient client = ((LettuceConnectionFactory) this.connectionFactory).getRequiredNativeClient();
		StatefulConnection<byte[], byte[]> connection;
		RedisClusterAsyncCommands<byte[], byte[]> commands;
		if (client instanceof RedisClusterClient cluster) {
			var clusterConnection = cluster.connect(ByteArrayCodec.INSTANCE);
			connection = clusterConnection;
			commands = clusterConnection.async();
		}
		else if (client instanceof RedisClient standalone) {
			try {
				var standaloneConnection = standalone.connect(ByteArrayCodec.INSTANCE);
				connection = standaloneConnection;
				commands = standaloneConnection.async();
			}
			catch (IllegalStateException ex) {
				// A client without a default URI (static master/replica): share the
				// factory's.
				logger.debug("No dedicated Redis connection possible, sharing the application's", ex);
				return connectShared();
			}
		}
		else {
			return connectShared();
		}
		// Closed only while open: the client closes every connection it made when the
		// factory
		// stops, and closing one twice makes Lettuce warn at every shutdown.
		return new Connected(commands, () -> {
			if (connection.isOpen()) {
				connection.close();
			}
		}, connection::isOpen);
	}

	@Override
	public void close() {
		Attempt current = this.attempt.getAndSet(null);
		if (current != null) {
			// Releases a dedicated connection, also one still being opened; a shared one
			// belongs to the factory.
			current.result().thenAccept((connected) -> {
				try {
					connected.close().run();
				}
				catch (RuntimeException ex) {
					logger.debug("Closing the Redis connection failed", ex);
				}
			});
		}
		ExecutorService executor = this.connector;
		if (executor != null) {
			executor.shutdownNow();
		}
	}

	private record Connected(RedisClusterAsyncCommands<byte[], byte[]> commands, Runnable close, BooleanSupplier open) {

		boolean isOpen() {
			return this.open.getAsBoolean();
		}

	}

	/**
	 * One connection lookup. A lookup that failed, or found the connection closed, may be
	 * repeated once the timeout has passed since it finished; until then callers fail
	 * fast.
	 */
	private static final class Attempt {

		private final CompletableFuture<Connected> result = new CompletableFuture<>();

		private volatile long finishedAt;

		Attempt() {
			this.result.whenComplete((connected, ex) -> this.finishedAt = System.nanoTime());
		}

		CompletableFuture<Connected> result() {
			return this.result;
		}

		boolean mayRetry(Duration timeout, boolean dedicated) {
			if (!this.result.isDone()) {
				return false;
			}
			boolean failed = this.result.isCompletedExceptionally();
			if (!failed && dedicated) {
				// Lettuce reconnects a connection of ours by itself; another would leak.
				return false;
			}
			boolean usable = !failed && this.result.join().isOpen();
			return !usable && System.nanoTime() - this.finishedAt >= timeout.toNanos();
		}

	}

}
