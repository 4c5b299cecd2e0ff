package io.github.airesource.autoconfigure.pool;

import java.time.Duration;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The HTTP connection pool under the model clients: how many connections Spring AI's
 * clients may keep open, and how long they wait to connect, for a reply and while idle.
 */
@ConfigurationProperties(PoolProperties.PREFIX)
public class PoolProperties implements InitializingBean {

	/** The prefix of the pool properties. */
	public static final String PREFIX = "ai.resource.pool";

	/**
	 * Whether the RestClient and WebClient builders of the application get a pooled HTTP
	 * client (Apache HttpClient 5, Reactor Netty) configured by these properties.
	 */
	private boolean enabled = true;

	/**
	 * Most connections open at once across every host.
	 */
	private int maxConnections = 50;

	/**
	 * Most connections open at once to one host, such as the model provider's API.
	 */
	private int maxConnectionsPerRoute = 20;

	/**
	 * How long to wait for a connection to be established.
	 */
	private Duration connectTimeout = Duration.ofSeconds(5);

	/**
	 * How long to wait for the next bytes of a reply, and for a free pooled connection.
	 */
	private Duration readTimeout = Duration.ofSeconds(120);

	/**
	 * How long a connection may stay unused in the pool before it is closed.
	 */
	private Duration idleTimeout = Duration.ofSeconds(60);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public int getMaxConnectionsPerRoute() {
		return this.maxConnectionsPerRoute;
	}

	public void setMaxConnectionsPerRoute(int maxConnectionsPerRoute) {
		this.maxConnectionsPerRoute = maxConnectionsPerRoute;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getReadTimeout() {
		return this.readTimeout;
	}

	public void setReadTimeout(Duration readTimeout) {
		this.readTimeout = readTimeout;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.maxConnections < 1) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-connections", this.maxConnections,
					"the pool needs at least one connection",
					"Set " + PREFIX + ".max-connections to 1 or more, such as 50, or set " + PREFIX
							+ ".enabled=false to leave the HTTP client unpooled.");
		}
		if (this.maxConnectionsPerRoute < 1) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-connections-per-route",
					this.maxConnectionsPerRoute, "the pool needs at least one connection per host",
					"Set " + PREFIX + ".max-connections-per-route to 1 or more, such as 20.");
		}
		if (this.maxConnectionsPerRoute > this.maxConnections) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-connections-per-route",
					this.maxConnectionsPerRoute,
					"one host cannot have more connections than the whole pool (" + PREFIX + ".max-connections="
							+ this.maxConnections + ")",
					"Set " + PREFIX + ".max-connections-per-route to at most " + this.maxConnections + ", or raise "
							+ PREFIX + ".max-connections to at least " + this.maxConnectionsPerRoute + ".");
		}
		requirePositive("connect-timeout", this.connectTimeout, "such as 5s");
		requirePositive("read-timeout", this.readTimeout, "longer than your slowest model reply, such as 120s");
		requirePositive("idle-timeout", this.idleTimeout, "shorter than the provider's keep-alive, such as 60s");
	}

	private static void requirePositive(String name, Duration value, String advice) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidResourcePropertyException(PREFIX + "." + name, value, "the duration must be positive",
					"Set " + PREFIX + "." + name + " to a positive duration, " + advice + ".");
		}
	}

}
