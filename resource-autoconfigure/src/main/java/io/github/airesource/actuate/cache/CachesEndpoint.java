package io.github.airesource.actuate.cache;

import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import io.github.airesource.actuate.cache.CachesDescriptor.CacheDescriptor;
import io.github.airesource.actuate.cache.CachesDescriptor.ClearedDescriptor;
import io.github.airesource.core.cache.ManagedCache;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * The {@code aicaches} endpoint: every enabled cache ({@code response}, {@code semantic},
 * {@code tool}) with its size and counters (hits, misses, hit ratio, bypasses, stores,
 * evictions, failures, tokens and dollars saved, the semantic similarity histogram and
 * shadow-mode would-be hits); one cache at {@code /actuator/aicaches/{name}}; and a
 * {@code DELETE} there that clears the cache, or with {@code ?tenant=} only that tenant's
 * entries, and says how many went. Shows counts only: never a key, a prompt or an answer.
 */
@Endpoint(id = "aicaches")
public class CachesEndpoint {

	private final Supplier<List<ManagedCache>> caches;

	/**
	 * Create the endpoint over a fixed list of caches.
	 * @param caches the caches
	 */
	public CachesEndpoint(List<ManagedCache> caches) {
		this(() -> caches);
	}

	/**
	 * Create the endpoint over caches looked up on each request, so that caches of
	 * auto-configurations that ran after this one are shown too.
	 * @param caches supplies the caches
	 */
	public CachesEndpoint(Supplier<List<ManagedCache>> caches) {
		Assert.notNull(caches, "caches must not be null");
		this.caches = caches;
	}

	/**
	 * Report every cache.
	 * @return the report
	 */
	@ReadOperation
	public CachesDescriptor caches() {
		return new CachesDescriptor(this.caches.get()
			.stream()
			.sorted(Comparator.comparing(ManagedCache::name))
			.map(CacheDescriptor::of)
			.toList());
	}

	/**
	 * Report one cache.
	 * @param name the cache's name
	 * @return the cache, or {@code null} (404) when no such cache is enabled
	 */
	@ReadOperation
	@Nullable
	public CacheDescriptor cache(@Selector String name) {
		ManagedCache cache = find(name);
		return (cache != null) ? CacheDescriptor.of(cache) : null;
	}

	/**
	 * Clear one cache, or one tenant's entries of it.
	 * @param name the cache's name
	 * @param tenant the tenant whose entries to remove, or {@code null} for all
	 * @return what went, or {@code null} (404) when no such cache is enabled
	 */
	@DeleteOperation
	@Nullable
	public ClearedDescriptor clear(@Selector String name, @Nullable String tenant) {
		ManagedCache cache = find(name);
		if (cache == null) {
			return null;
		}
		boolean oneTenant = StringUtils.hasText(tenant);
		long removed = oneTenant ? cache.clearTenant(tenant) : cache.clear();
		return new ClearedDescriptor(cache.name(), oneTenant ? tenant : null, (removed >= 0) ? removed : null);
	}

	@Nullable
	private ManagedCache find(String name) {
		for (ManagedCache cache : this.caches.get()) {
			if (cache.name().equals(name)) {
				return cache;
			}
		}
		return null;
	}

}
