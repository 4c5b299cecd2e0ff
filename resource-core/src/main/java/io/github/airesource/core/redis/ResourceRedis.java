package io.github.airesource.core.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * The library's access to Redis: Lettuce commands over the application's
 * {@link LettuceConnectionFactory}, every key under one prefix, every wait bounded by one
 * timeout.
 *
 * <p>
 * Connecting is lazy and happens on a background thread, because opening a connection to
 * a Redis that is down blocks for the client's connect timeout (10 seconds by default);
 * callers wait at most {@link #timeout()} for it and then get a
 * {@link RedisUnavailableException}. While the connection is down (Lettuce reconnects by
 * itself), {@link #commands()} fails at once instead of letting commands pile up in
 * Lettuce's buffer, and the connection is looked up again at most once per timeout
 * period. Commands are sent asynchronously (Lettuce pipelines them on the shared
 * connection) and awaited with the same bound; commands that time out are cancelled.
 */
public final class ResourceRedis implements AutoCloseable {

	private final RedisConnectionFactory connectionFactory;

	private final String keyPrefix;

	private final Duration timeout;

	private final AtomicReference<Attempt> attempt = new AtomicReference<>();

	private volatile ExecutorService connector;

	public ResourceRedis(RedisConnectionFactory connectionFactory, String keyPrefix, Duration timeout) {
		Assert.notNull(connectionFactory, "connectionFactory must not be null");
		Assert.notNull(keyPrefix, "keyPrefix must not be null");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
		this.connectionFactory = connectionFactory;
		this.keyPrefix = keyPrefix;
		this.timeout = timeout;
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
	 * Return the prefix of every key.
	 * @return the key prefix
	 */
	public String keyPrefix() {
		return this.keyPrefix;
	}

	/**
	 * Return a full key as bytes.
	 * @param suffix the part after the prefix
	 * @return the key
	 */
	public byte[] key(String suffix) {
		return bytes(this.keyPrefix + suffix);
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
		Attempt current = this.attempt.get();
		if (current == null || current.mayRetry(this.timeout)) {
			Attempt next = new Attempt();
			if (this.attempt.compareAndSet(current, next)) {
				connector().execute(() -> connect(next.result()));
			}
			current = this.attempt.get();
		}
		RedisClusterAsyncCommands<byte[], byte[]> commands = awaitConnection(current.result()).commands();
		if (!commands.isOpen()) {
			throw new RedisUnavailableException("The Redis connection is down; Lettuce is reconnecting", null);
		}
		return commands;
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
			LettuceConnection connection = (LettuceConnection) this.connectionFactory.getConnection();
			result.complete(new Connected(connection, connection.getNativeConnection()));
		}
		catch (RuntimeException ex) {
			result.completeExceptionally(ex);
		}
	}

	@Override
	public void close() {
		Attempt current = this.attempt.getAndSet(null);
		if (current != null && current.result().isDone() && !current.result().isCompletedExceptionally()) {
			// Releases a dedicated connection; a shared one belongs to the factory.
			current.result().join().connection().close();
		}
		ExecutorService executor = this.connector;
		if (executor != null) {
			executor.shutdownNow();
		}
	}

	private record Connected(LettuceConnection connection, RedisClusterAsyncCommands<byte[], byte[]> commands) {
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

		boolean mayRetry(Duration timeout) {
			if (!this.result.isDone()) {
				return false;
			}
			boolean usable = !this.result.isCompletedExceptionally() && this.result.join().commands().isOpen();
			return !usable && System.nanoTime() - this.finishedAt >= timeout.toNanos();
		}

	}

}
