package io.github.airesource.autoconfigure.pool;

/**
 * A snapshot of one HTTP connection pool under the model clients.
 *
 * @param client the HTTP client that owns the pool: {@value #HTTP_COMPONENTS}
 * (RestClient) or {@value #REACTOR_NETTY} (WebClient)
 * @param maxConnections most connections the pool may open across every host it serves;
 * Reactor Netty caps each host on its own, so for it this is the per-host cap times the
 * hosts it has connected to so far
 * @param maxConnectionsPerRoute most connections the pool may open to one host
 * @param leased connections carrying a request now
 * @param available idle connections kept open for the next request
 * @param pending requests waiting for a connection because the pool is at its cap
 */
public record ConnectionPoolStats(String client, int maxConnections, int maxConnectionsPerRoute, int leased,
		int available, int pending) {

	/** The client name of Apache HttpClient 5, under Spring's RestClient. */
	public static final String HTTP_COMPONENTS = "http-components";

	/** The client name of Reactor Netty, under Spring's WebClient. */
	public static final String REACTOR_NETTY = "reactor-netty";

}
