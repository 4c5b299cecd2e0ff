package io.github.airesource.core.cache.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.ResponseCacheStore;
import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Keeps cached answers in Redis, shared by every instance that uses the same Redis and
 * key prefix.
 *
 * <p>
 * One key per entry ({@code cache:{response:<tenant>:<key>}}, see
 * {@link ResponseCacheRedisKeys}), holding {@link CachedResponse#encode()}: a compact,
 * versioned binary form, so an entry written by another format version is read as a miss
 * ({@link CachedResponse#decode} gives {@code null}), never a failure. Every key is
 * written with its TTL ({@code SET ... PX}), so nothing outlives it. A lookup is one
 * {@code GET}, one round trip; a store one {@code SET}, which the caller does not wait
 * for ({@link #put}).
 *
 * <p>
 * Failures: each round trip waits at most {@link ResourceRedis#timeout()}; when Redis is
 * down, slow or failing, a lookup is a miss and a store is skipped, counted as a failure
 * in {@link #statistics()} and in {@link #health()}, and nothing is thrown: a cache must
 * never fail the call it could not help.
 *
 * <p>
 * {@link #size()}, {@link #clear()} and {@link #clearTenant} walk the keys with
 * {@code SCAN} (never {@code KEYS}), for the {@code aicaches} endpoint: their cost grows
 * with the keys in the database, not with the calls. Thread-safe.
 */
public final class RedisResponseCacheStore implements ResponseCacheStore {

	private static final int SCAN_COUNT = 1000;

	private final ResourceRedis redis;

	private final ResponseCacheRedisKeys keys;

	private final RedisStoreHealth health;

	private final CacheStatistics statistics = new CacheStatistics();

	/**
	 * Create a store on a Redis.
	 * @param redis the library's Redis access
	 */
	public RedisResponseCacheStore(ResourceRedis redis) {
		this(redis, Clock.systemUTC());
	}

	/**
	 * Create a store on a Redis.
	 * @param redis the library's Redis access
	 * @param clock the clock that stamps failures in {@link #health()}
	 */
	public RedisResponseCacheStore(ResourceRedis redis, Clock clock) {
		Assert.notNull(redis, "redis must not be null");
		Assert.notNull(clock, "clock must not be null");
		this.redis = redis;
		this.keys = new ResponseCacheRedisKeys(redis.keys());
		this.health = new RedisStoreHealth("cache", clock);
	}

	/**
	 * Return the health of the Redis store.
	 * @return the health
	 */
	public RedisStoreHealth health() {
		return this.health;
	}

	@Override
	@Nullable
	public CachedResponse get(String tenant, String key) {
		byte[] bytes;
		try {
			bytes = this.redis.await(this.redis.commands().get(this.keys.entry(tenant, key)));
		}
		catch (RuntimeException ex) {
			failed(ex);
			return null;
		}
		this.health.succeeded();
		// Another format version, or bytes that are not an entry: a miss.
		return CachedResponse.decode(bytes);
	}

	/**
	 * Store an answer without waiting for Redis to confirm it: the {@code SET} is sent on
	 * the connection before this returns, so a lookup made afterwards on this instance,
	 * sent on the same connection, reads it; its outcome is counted when it arrives, a
	 * failure or no reply within {@link ResourceRedis#timeout()} as a failure. The caller
	 * has its answer already and loses nothing when an entry is not stored.
	 */
	@Override
	public void put(String tenant, String key, CachedResponse response, Duration ttl) {
		Assert.isTrue(ttl != null && !ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
		byte[] value = response.encode();
		CompletableFuture<String> set;
		try {
			set = this.redis.commands()
				.set(this.keys.entry(tenant, key), value, SetArgs.Builder.px(Math.max(1, ttl.toMillis())))
				.toCompletableFuture();
		}
		catch (RuntimeException ex) {
			failed(ex);
			return;
		}
		this.redis.bounded(set).whenComplete((reply, ex) -> {
			if (ex != null) {
				failed(new RedisUnavailableException("Storing a cached answer failed: " + ex.getMessage(), ex));
			}
			else {
				this.health.succeeded();
				this.statistics.recordStore();
			}
		});
	}

	@Override
	public void remove(String tenant, String key) {
		try {
			this.redis.await(this.redis.commands().del(this.keys.entry(tenant, key)));
			this.health.succeeded();
		}
		catch (RuntimeException ex) {
			failed(ex);
		}
	}

	@Override
	public long size() {
		return scan(this.keys.allPattern(), false);
	}

	@Override
	public CacheStatistics statistics() {
		return this.statistics;
	}

	@Override
	public long clear() {
		return scan(this.keys.allPattern(), true);
	}

	@Override
	public long clearTenant(String tenant) {
		Assert.notNull(tenant, "tenant must not be null");
		return scan(this.keys.tenantPattern(tenant), true);
	}

	/**
	 * Walk the keys of a pattern, counting them and, when asked, unlinking each batch.
	 * @return the keys seen, {@code -1} when Redis failed
	 */
	private long scan(String pattern, boolean unlink) {
		ScanArgs args = ScanArgs.Builder.matches(pattern.getBytes(StandardCharsets.UTF_8)).limit(SCAN_COUNT);
		long count = 0;
		try {
			RedisClusterAsyncCommands<byte[], byte[]> commands = this.redis.commands();
			KeyScanCursor<byte[]> cursor = this.redis.await(commands.scan(args));
			while (true) {
				List<byte[]> batch = cursor.getKeys();
				if (!batch.isEmpty()) {
					if (unlink) {
						count += this.redis.await(commands.unlink(batch.toArray(new byte[0][])));
					}
					else {
						count += batch.size();
					}
				}
				if (cursor.isFinished()) {
					break;
				}
				// The cursor itself, not its text: on a cluster it carries the node walk.
				cursor = this.redis.await(commands.scan(cursor, args));
			}
		}
		catch (RuntimeException ex) {
			failed(ex);
			return -1;
		}
		this.health.succeeded();
		return count;
	}

	private void failed(RuntimeException ex) {
		this.statistics.recordFailure();
		this.health.failed(ex);
	}

}
