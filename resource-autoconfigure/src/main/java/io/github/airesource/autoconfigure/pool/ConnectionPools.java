package io.github.airesource.autoconfigure.pool;

import java.util.List;
import java.util.Optional;

/**
 * The HTTP connection pools AI Resource put under the application's RestClient and
 * WebClient builders, and so under Spring AI's model clients: one per HTTP client on the
 * class path. Read by the {@code ailimits} endpoint and the {@code ai.resource.pool.*}
 * meters.
 */
public class ConnectionPools {

	/**
	 * The name of AI Resource's pools where a library names pools, such as the
	 * {@code httpclient} tag of Micrometer's HttpClient 5 meters.
	 */
	public static final String NAME = "ai-resource";

	private final List<MeasuredPool> pools;

	ConnectionPools(List<MeasuredPool> pools) {
		this.pools = List.copyOf(pools);
	}

	/**
	 * Read every pool's current state. Reading takes each pool's own lock briefly, so it
	 * suits an endpoint or a meter, not a per-call check.
	 * @return a snapshot per pool; empty when no pooled client is in use
	 */
	public List<ConnectionPoolStats> stats() {
		return this.pools.stream().map(MeasuredPool::stats).toList();
	}

	/**
	 * Read the current state of the pool of one HTTP client.
	 * @param client {@link ConnectionPoolStats#HTTP_COMPONENTS} or
	 * {@link ConnectionPoolStats#REACTOR_NETTY}
	 * @return the snapshot, or empty when that client has no pool here
	 */
	public Optional<ConnectionPoolStats> stats(String client) {
		return stats().stream().filter((pool) -> pool.client().equals(client)).findFirst();
	}

}
