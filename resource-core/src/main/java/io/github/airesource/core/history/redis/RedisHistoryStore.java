package io.github.airesource.core.history.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.github.airesource.core.history.HistoryCut;
import io.github.airesource.core.history.HistoryKey;
import io.github.airesource.core.history.HistoryStore;
import io.github.airesource.core.history.InMemoryHistoryStore;
import io.github.airesource.core.redis.RedisKeys;
import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * History state in Redis, so that every instance serving a conversation uses the same cut
 * (one prompt prefix, one provider cache entry) and the same running summary, made once.
 *
 * <p>
 * One string per conversation, {@code history:{<tenant>:<conversation>}:cut}, built by
 * {@link RedisKeys} (the ids encoded, so no id can form another key), holding the cut and
 * the summary; reads refresh its time to live ({@code GETEX}), so an active conversation
 * is never forgotten and an idle one expires. Every command is bounded by the library's
 * Redis timeout; a failure of a read throws, and the advisor goes on without the
 * remembered cut. Writes are not awaited ({@link #put}).
 */
public final class RedisHistoryStore implements HistoryStore {

	private static final String FEATURE = "history";

	/** 2: the anchor is a whole turn's fingerprint (in 1, the turn's first message's). */
	private static final String VERSION = "2";

	private final ResourceRedis redis;

	private final Duration ttl;

	private final RedisStoreHealth health;

	/**
	 * Create a store with the default time to live.
	 * @param redis the Redis access
	 */
	public RedisHistoryStore(ResourceRedis redis) {
		this(redis, InMemoryHistoryStore.DEFAULT_TTL);
	}

	/**
	 * Create a store.
	 * @param redis the Redis access
	 * @param ttl how long an idle conversation is remembered
	 */
	public RedisHistoryStore(ResourceRedis redis, Duration ttl) {
		Assert.notNull(redis, "redis must not be null");
		Assert.isTrue(ttl != null && ttl.toSeconds() > 0, "ttl must be at least a second");
		this.redis = redis;
		this.ttl = ttl;
		this.health = new RedisStoreHealth(FEATURE, Clock.systemUTC());
	}

	@Override
	@Nullable
	public HistoryCut get(HistoryKey key) {
		byte[] value = run(() -> this.redis
			.await(this.redis.commands().getex(key(key), GetExArgs.Builder.ex(this.ttl.toSeconds()))));
		return (value != null) ? decode(new String(value, StandardCharsets.UTF_8)) : null;
	}

	/**
	 * Replace the state of a conversation, without waiting for Redis's answer: the write
	 * is sent as the cut moves, before the call goes on to the model, and the instance's
	 * next command on its one connection (the cache lookup, the admission) reaches Redis
	 * after it, so by the time the call has answered, another instance reads the new cut.
	 * A failure that comes later is counted in the store's health; one known at once (the
	 * connection is down) is thrown, as from every other method.
	 * @param key the conversation
	 * @param cut the new state
	 */
	@Override
	public void put(HistoryKey key, HistoryCut cut) {
		byte[] value = encode(cut).getBytes(StandardCharsets.UTF_8);
		CompletableFuture<String> set = run(() -> this.redis.commands()
			.set(key(key), value, SetArgs.Builder.ex(this.ttl.toSeconds()))
			.toCompletableFuture(), false);
		RedisStoreHealth.noteWhenAnswered(this.redis.bounded(set), this.health);
	}

	@Override
	public void remove(HistoryKey key) {
		run(() -> this.redis.await(this.redis.commands().del(key(key))));
	}

	/**
	 * Return how the store's Redis calls are doing.
	 * @return the health
	 */
	public RedisStoreHealth health() {
		return this.health;
	}

	private byte[] key(HistoryKey key) {
		return this.redis.keys().group(FEATURE, key.tenant(), key.conversation()).keyBytes("cut");
	}

	private <T> T run(Supplier<T> command) {
		return run(command, true);
	}

	/**
	 * Run a command, counting a failure at once in the store's health, and its success
	 * when {@code answered} (else the caller counts the answer when it comes).
	 */
	private <T> T run(Supplier<T> command, boolean answered) {
		try {
			T result = command.get();
			if (answered) {
				this.health.succeeded();
			}
			return result;
		}
		catch (RedisUnavailableException ex) {
			this.health.failed(ex);
			throw ex;
		}
		catch (RedisException ex) {
			RedisUnavailableException unavailable = new RedisUnavailableException("Redis failed: " + ex, ex);
			this.health.failed(unavailable);
			throw unavailable;
		}
	}

	static String encode(HistoryCut cut) {
		// "<version> <anchor> <dropped> <unsummarized> <has summary>\n<summary>"
		StringBuilder value = new StringBuilder(64 + ((cut.summary() != null) ? cut.summary().length() : 0));
		value.append(VERSION)
			.append(' ')
			.append(cut.anchor())
			.append(' ')
			.append(cut.dropped())
			.append(' ')
			.append(cut.unsummarized())
			.append(' ')
			.append((cut.summary() != null) ? '1' : '0')
			.append('\n');
		if (cut.summary() != null) {
			value.append(cut.summary());
		}
		return value.toString();
	}

	@Nullable
	static HistoryCut decode(String value) {
		int newline = value.indexOf('\n');
		if (newline < 0) {
			return null;
		}
		String[] head = value.substring(0, newline).split(" ");
		if (head.length != 5 || !VERSION.equals(head[0])) {
			// Written by another version: start the conversation's cut afresh.
			return null;
		}
		try {
			String summary = "1".equals(head[4]) ? value.substring(newline + 1) : null;
			return new HistoryCut(Long.parseLong(head[1]), Integer.parseInt(head[2]), summary,
					Integer.parseInt(head[3]));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
