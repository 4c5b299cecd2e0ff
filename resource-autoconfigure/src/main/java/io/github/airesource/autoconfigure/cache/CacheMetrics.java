package io.github.airesource.autoconfigure.cache;

import java.util.function.ToDoubleFunction;

import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.ManagedCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The cache meters, each tagged with {@code cache} ({@code response}, {@code semantic},
 * {@code tool}) and read from the cache's own counters when the registry is scraped:
 * <ul>
 * <li>{@code ai.resource.cache.lookups}, tag {@code result}: {@code hit} (answered from
 * the cache), {@code miss} (looked up, found nothing) and {@code bypass} (not looked up:
 * bypass or refresh asked, request not cacheable, caller unknown);</li>
 * <li>{@code ai.resource.cache.shadow.hits}: hits the semantic cache found in shadow mode
 * and did not serve (each is counted as a miss in the lookups too);</li>
 * <li>{@code ai.resource.cache.size} (gauge; NaN when a shared store cannot tell),
 * {@code ai.resource.cache.stores}, {@code ai.resource.cache.evictions} (for size, not
 * expiry), {@code ai.resource.cache.failures} (store reads or writes that failed);</li>
 * <li>{@code ai.resource.cache.saved.tokens} and {@code ai.resource.cache.saved.cost}
 * (USD) that hits did not spend.</li>
 * </ul>
 * No meter is tagged by tenant, user or anything a caller sent.
 */
final class CacheMetrics {

	private CacheMetrics() {
	}

	static void bind(ManagedCache cache, MeterRegistry registry) {
		lookups(cache, registry, "hit", CacheStatistics.Snapshot::hits);
		lookups(cache, registry, "miss", CacheStatistics.Snapshot::misses);
		lookups(cache, registry, "bypass", CacheStatistics.Snapshot::bypasses);
		counter(cache, registry, "ai.resource.cache.shadow.hits", "Hits shadow mode found and did not serve",
				CacheStatistics.Snapshot::shadowHits);
		counter(cache, registry, "ai.resource.cache.stores", "Entries stored", CacheStatistics.Snapshot::stores);
		counter(cache, registry, "ai.resource.cache.evictions", "Entries evicted for size",
				CacheStatistics.Snapshot::evictions);
		counter(cache, registry, "ai.resource.cache.failures",
				"Cache store reads or writes that failed and were treated as misses",
				CacheStatistics.Snapshot::failures);
		counter(cache, registry, "ai.resource.cache.saved.tokens", "Tokens cache hits did not spend",
				CacheStatistics.Snapshot::savedTokens);
		FunctionCounter
			.builder("ai.resource.cache.saved.cost", cache,
					(managed) -> managed.statistics().snapshot().savedCost().doubleValue())
			.description("USD cache hits did not spend")
			.baseUnit("usd")
			.tag("cache", cache.name())
			.register(registry);
		Gauge.builder("ai.resource.cache.size", cache, CacheMetrics::size)
			.description("Entries the cache holds")
			.tag("cache", cache.name())
			.register(registry);
	}

	private static void lookups(ManagedCache cache, MeterRegistry registry, String result,
			ToDoubleFunction<CacheStatistics.Snapshot> count) {
		FunctionCounter.builder("ai.resource.cache.lookups", cache, (managed) -> count.applyAsDouble(snapshot(managed)))
			.description("Cache lookups by result")
			.tag("cache", cache.name())
			.tag("result", result)
			.register(registry);
	}

	private static void counter(ManagedCache cache, MeterRegistry registry, String name, String description,
			ToDoubleFunction<CacheStatistics.Snapshot> count) {
		FunctionCounter.builder(name, cache, (managed) -> count.applyAsDouble(snapshot(managed)))
			.description(description)
			.tag("cache", cache.name())
			.register(registry);
	}

	private static CacheStatistics.Snapshot snapshot(ManagedCache cache) {
		return cache.statistics().snapshot();
	}

	private static double size(ManagedCache cache) {
		long size = cache.size();
		return (size >= 0) ? size : Double.NaN;
	}

}
