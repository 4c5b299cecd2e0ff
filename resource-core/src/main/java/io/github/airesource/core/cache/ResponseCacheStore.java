package io.github.airesource.core.cache;

import java.time.Duration;

import org.springframework.lang.Nullable;

/**
 * Where the exact-match response cache keeps its answers: in this instance's memory
 * ({@link InMemoryResponseCacheStore}) or shared by a fleet
 * ({@link io.github.airesource.core.cache.redis.RedisResponseCacheStore}).
 *
 * <p>
 * Entries are addressed by the tenant and the request's key
 * ({@link RequestFingerprint#exactKey}, which covers the tenant too), so that a store can
 * drop one tenant's entries without reading the others. A store is a cache, never a
 * source of errors: when it cannot be read or written (Redis down or slow) it answers a
 * miss or skips the write, counts a failure in its {@link #statistics()}, and never
 * throws. The {@link ResponseCacheAdvisor} counts lookups (hits, misses, bypasses) in the
 * same statistics, so that one {@link ManagedCache} shows the whole cache.
 * Implementations are thread-safe.
 */
public interface ResponseCacheStore extends ManagedCache {

	/** The name of the response cache as the endpoint and metrics show it. */
	String NAME = "response";

	/**
	 * Return the answer stored for a key.
	 * @param tenant the tenant of the call
	 * @param key the request's exact key
	 * @return the answer, or {@code null} on a miss, an expired or unreadable entry, or a
	 * store failure
	 */
	@Nullable
	CachedResponse get(String tenant, String key);

	/**
	 * Store an answer, replacing what the key held.
	 * @param tenant the tenant of the call
	 * @param key the request's exact key
	 * @param response the answer
	 * @param ttl how long to keep it, positive
	 */
	void put(String tenant, String key, CachedResponse response, Duration ttl);

	/**
	 * Remove the answer stored for a key, if any.
	 * @param tenant the tenant of the call
	 * @param key the request's exact key
	 */
	void remove(String tenant, String key);

	@Override
	default String name() {
		return NAME;
	}

}
