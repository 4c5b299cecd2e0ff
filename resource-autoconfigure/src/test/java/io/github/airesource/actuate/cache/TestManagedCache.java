package io.github.airesource.actuate.cache;

import java.util.HashMap;
import java.util.Map;

import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.ManagedCache;

/**
 * A cache for tests of what sees every cache: entries counted per tenant, statistics the
 * test drives, and a size it may not know.
 */
public final class TestManagedCache implements ManagedCache {

	private final String name;

	private final CacheStatistics statistics = new CacheStatistics();

	private final Map<String, Long> entriesByTenant = new HashMap<>();

	private boolean sizeKnown = true;

	public TestManagedCache(String name) {
		this.name = name;
	}

	public TestManagedCache put(String tenant, long entries) {
		this.entriesByTenant.merge(tenant, entries, Long::sum);
		return this;
	}

	public TestManagedCache unknownSize() {
		this.sizeKnown = false;
		return this;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public synchronized long size() {
		return this.sizeKnown ? this.entriesByTenant.values().stream().mapToLong(Long::longValue).sum() : -1;
	}

	@Override
	public CacheStatistics statistics() {
		return this.statistics;
	}

	@Override
	public synchronized long clear() {
		long size = size();
		this.entriesByTenant.clear();
		return size;
	}

	@Override
	public synchronized long clearTenant(String tenant) {
		Long removed = this.entriesByTenant.remove(tenant);
		if (!this.sizeKnown) {
			return -1;
		}
		return (removed != null) ? removed : 0;
	}

}
