package io.github.airesource.autoconfigure.redis;

import io.github.airesource.core.redis.RedisStoreHealth;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code ai.resource.redis.failures} (tag {@code feature}): failed Redis round trips of
 * one feature's store, the same meter for every Redis-backed feature.
 */
public final class RedisStoreMetrics {

	private RedisStoreMetrics() {
	}

	/**
	 * Register the failure meter of a store.
	 * @param health the store's health
	 * @param registry the registry
	 */
	public static void bind(RedisStoreHealth health, MeterRegistry registry) {
		FunctionCounter.builder("ai.resource.redis.failures", health, RedisStoreHealth::failures)
			.description("Failed Redis round trips of AI Resource; the feature fell back as configured")
			.tag("feature", health.feature())
			.register(registry);
	}

}
