package io.github.airesource.core.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.springframework.data.redis.connection.RedisConnection;
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
 * Connecting is lazy and happens on a background thread, because opening a connection to a
 * Redis that is down blocks for the client's connect timeout (10 seconds by default); callers
 * wait at most {@link #timeout()} for it and then get a {@link RedisUnavailableException}.
 * Commands are sent asynchronously (Lettuce pipelines them on the shared connection) and
 * awaited with the same bound; commands that time out are cancelled.
 */
public final class ResourceRedis implements AutoCloseable {

	private final LettuceConnectionFactory connectionFactory;

	private final String keyPrefix;

	private final Duration timeout;

	private final Executor connector;

	private final AtomicReference<CompletableFuture<Connected>> connection = new AtomicReference<>();

	public ResourceRedis(RedisConnectionFactory connectionFactory, String keyPrefix, Duration timeout) {
		Assert.isInstanceOf(LettuceConnectionFactory.class, connectionFactory,
				"AI Resource needs Lettuce as the Redis client");
		Assert.notNull(keyPrefix, "keyPrefix must not be null");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
		this.connectionFactory = (LettuceConnectionFactory) connectionFactory;
		this.keyPrefix = keyPrefix;
		this.timeout = timeout;
		this.connector = (task) -> {
			Thread thread = new Thread(task, "airesource-redis-connect");
			thread.setDaemon(true);
			thread.start();
		};
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
	 * Return the commands of the connection, connecting first if needed.
	 * @return asynchronous commands
	 * @throws RedisUnavailableException if no connection is available within the timeout
	 */
	public RedisClusterAsyncCommands<byte[], byte[]> commands() {
		CompletableFuture<Connected> attempt = this.connection.get();
		if (attempt == null || attempt.isCompletedExceptionally()
				|| (attempt.isDone() && !attempt.join().commands().isOpen())) {
			CompletableFuture<Connected> next = new CompletableFuture<>();
			if (this.connection.compareAndSet(attempt, next)) {
				this.connector.execute(() -> connect(next));
			}
			attempt = this.connection.get();
		}
		try {
			return attempt.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS).commands();
		}
		catch (TimeoutException ex) {
			throw new RedisUnavailableException("No Redis connection within " + this.timeout, ex);
		}
		catch (ExecutionException ex) {
			throw new RedisUnavailableException("Redis connection failed: " + ex.getCause(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisUnavailableException("Interrupted while connecting to Redis", ex);
		}
	}

	/**
	 * Wait for a command's result.
	 * @param <T> the result type
	 * @param future the command
	 * @return the result
	 * @throws RedisUnavailableException if it fails or takes longer than the timeout
	 */
	public <T> T await(Future<T> future) {
		try {
			return future.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw new RedisUnavailableException("Redis did not answer within " + this.timeout, ex);
		}
		catch (ExecutionException ex) {
			throw new RedisUnavailableException("Redis command failed: " + ex.getCause(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisUnavailableException("Interrupted while waiting for Redis", ex);
		}
	}

	/**
	 * Wait for all commands of a pipeline, within one timeout for all of them.
	 * @param futures the commands
	 * @throws RedisUnavailableException if any fails or they take longer than the timeout
	 */
	public void awaitAll(Collection<? extends Future<?>> futures) {
		long deadline = System.nanoTime() + this.timeout.toNanos();
		for (Future<?> future : futures) {
			long left = deadline - System.nanoTime();
			try {
				future.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				futures.forEach((each) -> each.cancel(true));
				throw new RedisUnavailableException("Redis did not answer within " + this.timeout, ex);
			}
			catch (ExecutionException ex) {
				throw new RedisUnavailableException("Redis command failed: " + ex.getCause(), ex.getCause());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new RedisUnavailableException("Interrupted while waiting for Redis", ex);
			}
		}
	}

	private void connect(CompletableFuture<Connected> result) {
		try {
			RedisConnection redisConnection = this.connectionFactory.getConnection();
			LettuceConnection lettuce = (LettuceConnection) redisConnection;
			result.complete(new Connected(lettuce, lettuce.getNativeConnection()));
		}
		catch (RuntimeException ex) {
			result.completeExceptionally(ex);
		}
	}

	@Override
	public void close() {
		CompletableFuture<Connected> current = this.connection.getAndSet(null);
		if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
			// Releases a dedicated connection; a shared one belongs to the factory.
			current.join().connection().close();
		}
	}

	private record Connected(LettuceConnection connection, RedisClusterAsyncCommands<byte[], byte[]> commands) {
	}

}
