package io.github.airesource.autoconfigure.pool;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.IdleConnectionEvictor;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.lang.Nullable;

/**
 * The Apache HttpClient 5 pool under every RestClient built from the context. One
 * connection manager is shared by every client the request factory builder makes: Boot's
 * RestClient.Builder is a prototype, so each model client (chat, embedding, image, ...)
 * gets its own HttpClient, and only a shared manager makes {@code max-connections} a cap
 * on the application rather than on each of them.
 */
final class HttpComponentsConnectionPool implements MeasuredPool, AutoCloseable {

	private final PoolingHttpClientConnectionManager manager;

	private final PoolProperties properties;

	private final IdleConnectionEvictor evictor;

	private final AtomicBoolean evicting = new AtomicBoolean();

	HttpComponentsConnectionPool(PoolProperties properties, @Nullable SslBundle sslBundle) {
		this.properties = properties;
		ConnectionConfig connectionConfig = ConnectionConfig.custom()
			.setConnectTimeout(Timeout.of(properties.getConnectTimeout()))
			.setSocketTimeout(Timeout.of(properties.getReadTimeout()))
			.build();
		PoolingHttpClientConnectionManagerBuilder builder = PoolingHttpClientConnectionManagerBuilder.create()
			.useSystemProperties()
			.setMaxConnTotal(properties.getMaxConnections())
			.setMaxConnPerRoute(properties.getMaxConnectionsPerRoute())
			.setDefaultConnectionConfig(connectionConfig);
		if (sslBundle != null) {
			// The manager Boot would have built with the bundle is replaced by this one,
			// so the bundle of spring.http.client.ssl.bundle has to be applied here.
			SslOptions options = sslBundle.getOptions();
			builder.setTlsSocketStrategy(new DefaultClientTlsStrategy(sslBundle.createSslContext(),
					options.getEnabledProtocols(), options.getCiphers(), null, new DefaultHostnameVerifier()));
		}
		this.manager = builder.build();
		// HttpClient runs an evictor only for a manager it owns, not for a shared one.
		Duration idle = properties.getIdleTimeout();
		Duration sweep = idle.dividedBy(2).compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10)
				: idle.dividedBy(2);
		this.evictor = new IdleConnectionEvictor(this.manager, TimeValue.of(sweep), TimeValue.of(idle));
	}

	/**
	 * Return a request factory builder whose clients use this pool.
	 * @param builder the builder to add the pool to
	 * @return the builder
	 */
	HttpComponentsClientHttpRequestFactoryBuilder requestFactoryBuilder(
			HttpComponentsClientHttpRequestFactoryBuilder builder) {
		return builder.withHttpClientCustomizer(this::usePool)
			.withDefaultRequestConfigCustomizer((requestConfig) -> configureRequests(requestConfig));
	}

	private void usePool(HttpClientBuilder client) {
		// Shared: closing one client (a request factory being disposed) must not close
		// the pool the others use; the context closes it.
		client.setConnectionManager(this.manager).setConnectionManagerShared(true);
		// HttpClient's default retry strategy waits out a 429 or 503 with its
		// Retry-After and resends, on the caller's thread and below every advisor and
		// interceptor: the call holds its permit meanwhile and the rate limiter never
		// learns of the provider's limit. Spring AI has its own retry for model calls.
		client.disableAutomaticRetries();
		// Started with the first client rather than with the bean: no thread for a pool
		// that nothing uses.
		if (this.evicting.compareAndSet(false, true)) {
			this.evictor.start();
		}
	}

	private void configureRequests(RequestConfig.Builder requestConfig) {
		requestConfig.setResponseTimeout(Timeout.of(this.properties.getReadTimeout()))
			.setConnectionRequestTimeout(Timeout.of(this.properties.getReadTimeout()));
	}

	PoolingHttpClientConnectionManager manager() {
		return this.manager;
	}

	@Override
	public ConnectionPoolStats stats() {
		PoolStats total = this.manager.getTotalStats();
		return new ConnectionPoolStats(ConnectionPoolStats.HTTP_COMPONENTS, total.getMax(),
				this.manager.getDefaultMaxPerRoute(), total.getLeased(), total.getAvailable(), total.getPending());
	}

	@Override
	public void close() {
		if (this.evicting.get()) {
			this.evictor.shutdown();
		}
		this.manager.close();
	}

}
