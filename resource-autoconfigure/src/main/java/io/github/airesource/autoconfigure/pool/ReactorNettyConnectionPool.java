package io.github.airesource.autoconfigure.pool;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;

/**
 * The Reactor Netty pool under every WebClient built from the context (Spring AI streams
 * over WebClient). Reactor Netty keeps a pool per remote address, each capped at
 * {@code max-connections-per-route}; it has no cap across hosts.
 */
final class ReactorNettyConnectionPool implements MeasuredPool, AutoCloseable {

	private final PoolProperties properties;

	private final Map<String, ConnectionPoolMetrics> routes = new ConcurrentHashMap<>();

	private final ConnectionProvider provider;

	ReactorNettyConnectionPool(PoolProperties properties) {
		this.properties = properties;
		this.provider = ConnectionProvider.builder(ConnectionPools.NAME)
			.maxConnections(properties.getMaxConnectionsPerRoute())
			// Unbounded queue, bounded in time: a burst above the cap waits as it does on
			// HttpClient 5 instead of failing once twice the cap is waiting.
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(properties.getReadTimeout())
			.maxIdleTime(properties.getIdleTimeout())
			.evictInBackground(properties.getIdleTimeout())
			.metrics(true, () -> new Registrar())
			.build();
	}

	/**
	 * Return a connector builder whose connectors use this pool.
	 * @param builder the builder to add the pool to
	 * @return the builder
	 */
	ReactorClientHttpConnectorBuilder connectorBuilder(ReactorClientHttpConnectorBuilder builder) {
		return builder.withHttpClientFactory(() -> HttpClient.create(this.provider))
			// Applied after Boot's settings, so these timeouts are the ones in force.
			.withHttpClientCustomizer((client) -> client
				.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.properties.getConnectTimeout().toMillis())
				.responseTimeout(this.properties.getReadTimeout()));
	}

	ConnectionProvider provider() {
		return this.provider;
	}

	@Override
	public ConnectionPoolStats stats() {
		int max = 0;
		int leased = 0;
		int available = 0;
		int pending = 0;
		for (ConnectionPoolMetrics route : this.routes.values()) {
			max += route.maxAllocatedSize();
			leased += route.acquiredSize();
			available += route.idleSize();
			pending += route.pendingAcquireSize();
		}
		return new ConnectionPoolStats(ConnectionPoolStats.REACTOR_NETTY, max,
				this.properties.getMaxConnectionsPerRoute(), leased, available, pending);
	}

	@Override
	public void close() {
		this.provider.dispose();
	}

	/**
	 * Keeps the metrics of each per-address pool Reactor Netty opens, instead of having
	 * Reactor Netty publish them to Micrometer's global registry under its own names.
	 */
	private final class Registrar implements ConnectionProvider.MeterRegistrar {

		@Override
		public void registerMetrics(String poolName, String id, SocketAddress remoteAddress,
				ConnectionPoolMetrics metrics) {
			ReactorNettyConnectionPool.this.routes.put(id + remoteAddress, metrics);
		}

		@Override
		public void deRegisterMetrics(String poolName, String id, SocketAddress remoteAddress) {
			ReactorNettyConnectionPool.this.routes.remove(id + remoteAddress);
		}

	}

}
