package io.github.airesource.core.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

/**
 * The keys and arguments of one call of a {@link RedisScript}, and the call itself: one
 * round trip, bounded by {@link ResourceRedis#timeout()}, whose outcome is reported to
 * the health of every store it serves. A store's parts are built into a call of their own
 * and {@link #append appended}, so that one script can serve two stores at once (a budget
 * reservation and a rate-limit admission) with each store's part built by the store's own
 * code.
 *
 * <p>
 * Not thread-safe: one call is built and run by one thread.
 */
public final class ScriptCall {

	private final List<byte[]> keys = new ArrayList<>();

	private final List<byte[]> args = new ArrayList<>();

	/**
	 * Add a key.
	 * @param key the key, built by {@link RedisKeys}
	 * @return this call
	 */
	public ScriptCall key(byte[] key) {
		this.keys.add(key);
		return this;
	}

	/**
	 * Add an argument.
	 * @param value the argument
	 * @return this call
	 */
	public ScriptCall arg(byte[] value) {
		this.args.add(value);
		return this;
	}

	/**
	 * Add an argument, UTF-8 encoded.
	 * @param value the argument
	 * @return this call
	 */
	public ScriptCall arg(String value) {
		return arg(ResourceRedis.bytes(value));
	}

	/**
	 * Add a number as an argument, in decimal.
	 * @param value the argument
	 * @return this call
	 */
	public ScriptCall arg(long value) {
		return arg(Long.toString(value));
	}

	/**
	 * Add the keys and arguments of a part after this call's own.
	 * @param part the part
	 * @return this call
	 */
	public ScriptCall append(ScriptCall part) {
		this.keys.addAll(part.keys);
		this.args.addAll(part.args);
		return this;
	}

	/**
	 * Return how many keys the call has.
	 * @return the count
	 */
	public int keyCount() {
		return this.keys.size();
	}

	/**
	 * Return how many arguments the call has.
	 * @return the count
	 */
	public int argCount() {
		return this.args.size();
	}

	/**
	 * Run the script with these keys and arguments, in one round trip, and report the
	 * outcome to the stores it serves: a failure or a timeout is counted in each
	 * {@link RedisStoreHealth} and thrown at once, never retried, so that the caller's
	 * failure mode applies.
	 * @param redis the Redis access
	 * @param script the script
	 * @param healths the health of every store the call serves
	 * @return the script's answer, a list
	 * @throws RedisUnavailableException when Redis fails or does not answer in time
	 */
	public List<Object> run(ResourceRedis redis, RedisScript script, RedisStoreHealth... healths) {
		try {
			List<Object> answer = redis.await(script.run(redis.commands(), ScriptOutputType.MULTI,
					this.keys.toArray(byte[][]::new), this.args.toArray(byte[][]::new)));
			for (RedisStoreHealth health : healths) {
				health.succeeded();
			}
			return answer;
		}
		catch (RedisUnavailableException ex) {
			throw failed(ex, healths);
		}
		catch (RedisException ex) {
			throw failed(new RedisUnavailableException("Redis failed: " + ex, ex), healths);
		}
	}

	/**
	 * Send the script with these keys and arguments without waiting for its answer, and
	 * report the outcome to the stores it serves as {@link #run} does, when it comes: for
	 * work the caller need not wait for, whose failure is handled by whoever listens to
	 * the result.
	 * @param redis the Redis access
	 * @param script the script
	 * @param healths the health of every store the call serves
	 * @return the script's answer, a list; or a {@link RedisUnavailableException} when
	 * Redis fails or does not answer within the Redis timeout (also when the connection
	 * is down as it is sent)
	 */
	public CompletableFuture<List<Object>> send(ResourceRedis redis, RedisScript script, RedisStoreHealth... healths) {
		CompletableFuture<List<Object>> command;
		try {
			command = script.run(redis.commands(), ScriptOutputType.MULTI, this.keys.toArray(byte[][]::new),
					this.args.toArray(byte[][]::new));
		}
		catch (RedisUnavailableException ex) {
			return CompletableFuture.failedFuture(failed(ex, healths));
		}
		catch (RedisException ex) {
			return CompletableFuture
				.failedFuture(failed(new RedisUnavailableException("Redis failed: " + ex, ex), healths));
		}
		CompletableFuture<List<Object>> answer = redis.bounded(command);
		RedisStoreHealth.noteWhenAnswered(answer, healths);
		return answer;
	}

	private static RedisUnavailableException failed(RedisUnavailableException ex, RedisStoreHealth[] healths) {
		for (RedisStoreHealth health : healths) {
			health.failed(ex);
		}
		return ex;
	}

}
