package io.github.airesource.autoconfigure.pool;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Warns once at startup when the concurrency bulkhead lets more calls through than the
 * pool has connections to one host: the calls above the pool's cap then hold a bulkhead
 * permit while they queue for a connection, invisible to the bulkhead's queue, its
 * priorities and its {@code max-wait}.
 */
final class PoolBulkheadCheck implements SmartInitializingSingleton {

	static final String CONCURRENCY_ENABLED = "ai.resource.concurrency.enabled";

	static final String MAX_CONCURRENT = "ai.resource.concurrency.max-concurrent";

	// The concurrency feature's own default, read here because its properties class is
	// another feature's.
	private static final int DEFAULT_MAX_CONCURRENT = 5;

	private static final Log logger = LogFactory.getLog(PoolBulkheadCheck.class);

	private final Environment environment;

	private final PoolProperties properties;

	private final ConnectionPools pools;

	PoolBulkheadCheck(Environment environment, PoolProperties properties, ConnectionPools pools) {
		this.environment = environment;
		this.properties = properties;
		this.pools = pools;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.pools.stats().isEmpty()) {
			return;
		}
		Binder binder = Binder.get(this.environment);
		boolean bulkhead = binder.bind(CONCURRENCY_ENABLED, Boolean.class).orElse(false);
		int maxConcurrent = binder.bind(MAX_CONCURRENT, Integer.class).orElse(DEFAULT_MAX_CONCURRENT);
		int perRoute = this.properties.getMaxConnectionsPerRoute();
		if (bulkhead && maxConcurrent > perRoute) {
			logger.warn(String.format(
					"The HTTP connection pool is smaller than the concurrency bulkhead: %s=%d but %s.max-connections-per-route=%d. "
							+ "Up to %d calls that hold a bulkhead permit will wait for a connection instead of in the "
							+ "bulkhead's queue. Set %s.max-connections-per-route (and max-connections) to at least %d, "
							+ "or lower %s.",
					MAX_CONCURRENT, maxConcurrent, PoolProperties.PREFIX, perRoute, maxConcurrent - perRoute,
					PoolProperties.PREFIX, maxConcurrent, MAX_CONCURRENT));
		}
	}

}
