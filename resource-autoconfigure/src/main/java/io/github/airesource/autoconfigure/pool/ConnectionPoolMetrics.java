package io.github.airesource.autoconfigure.pool;

import java.util.function.ToIntFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@code ai.resource.pool.leased}, {@code .available}, {@code .pending} and {@code .max}
 * (tag {@code client}: {@value ConnectionPoolStats#HTTP_COMPONENTS} or
 * {@value ConnectionPoolStats#REACTOR_NETTY}): the state of each pool under the model
 * clients, read from the pool when the registry asks.
 */
final class ConnectionPoolMetrics implements MeterBinder {

	private final ConnectionPools pools;

	ConnectionPoolMetrics(ConnectionPools pools) {
		this.pools = pools;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (ConnectionPoolStats pool : this.pools.stats()) {
			String client = pool.client();
			gauge(registry, "leased", client, ConnectionPoolStats::leased, "Pooled connections carrying a request");
			gauge(registry, "available", client, ConnectionPoolStats::available,
					"Idle pooled connections kept open for the next request");
			gauge(registry, "pending", client, ConnectionPoolStats::pending,
					"Requests waiting for a pooled connection because the pool is at its cap");
			gauge(registry, "max", client, ConnectionPoolStats::maxConnections, "Most connections the pool may open");
		}
	}

	private void gauge(MeterRegistry registry, String name, String client, ToIntFunction<ConnectionPoolStats> value,
			String description) {
		Gauge
			.builder("ai.resource.pool." + name, this.pools,
					(pools) -> pools.stats(client).map(value::applyAsInt).orElse(0))
			.description(description)
			.tag("client", client)
			.register(registry);
	}

}
