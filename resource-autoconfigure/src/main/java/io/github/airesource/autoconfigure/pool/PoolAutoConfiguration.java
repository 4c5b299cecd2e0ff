package io.github.airesource.autoconfigure.pool;

import java.util.List;

import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.httpcomponents.hc5.PoolingHttpClientConnectionManagerMetricsBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.http.client.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.autoconfigure.http.client.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactorySettings;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.reactive.ClientHttpConnector;

/**
 * A pooled HTTP client under the model clients ({@code ai.resource.pool.*}, on by
 * default): the {@link ClientHttpRequestFactoryBuilder} that Spring Boot's
 * {@code RestClient.Builder} and {@code RestTemplateBuilder} use, over one Apache
 * HttpClient 5 connection pool, and the {@link ClientHttpConnectorBuilder} that Boot's
 * {@code WebClient.Builder} uses, over one Reactor Netty connection provider. Spring AI's
 * model clients are built from those builders, so their keep-alive connections are reused
 * and a burst of calls queues for a connection instead of opening sockets without bound.
 * Backs off for the client whose builder (or connector) the application defines itself,
 * or whose Boot property ({@code spring.http.client.factory},
 * {@code spring.http.reactiveclient.connector}) names another client. With Micrometer,
 * the pools' meters ({@code ai.resource.pool.*}); {@link ConnectionPools} gives their
 * state to endpoints.
 */
@AutoConfiguration(beforeName = { "org.springframework.boot.autoconfigure.http.client.HttpClientAutoConfiguration",
		"org.springframework.boot.autoconfigure.http.client.reactive.ClientHttpConnectorAutoConfiguration",
		"org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration",
		"org.springframework.boot.autoconfigure.web.client.RestTemplateAutoConfiguration",
		"org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration" })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = PoolProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(PoolProperties.class)
public class PoolAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionPools resourceConnectionPools(ObjectProvider<MeasuredPool> pools) {
		return new ConnectionPools(pools.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	PoolBulkheadCheck resourcePoolBulkheadCheck(Environment environment, PoolProperties properties,
			ConnectionPools pools) {
		return new PoolBulkheadCheck(environment, properties, pools);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.apache.hc.client5.http.impl.classic.HttpClients",
			"org.springframework.http.client.HttpComponentsClientHttpRequestFactory" })
	@ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
	@ConditionalOnProperty(name = "spring.http.client.factory", havingValue = "http-components", matchIfMissing = true)
	static class HttpComponentsPoolConfiguration {

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		HttpComponentsConnectionPool resourceHttpComponentsConnectionPool(PoolProperties properties,
				ObjectProvider<ClientHttpRequestFactorySettings> settings) {
			ClientHttpRequestFactorySettings boot = settings.getIfAvailable();
			return new HttpComponentsConnectionPool(properties, (boot != null) ? boot.sslBundle() : null);
		}

		@Bean
		@ConditionalOnMissingBean
		@SuppressWarnings("unchecked")
		ClientHttpRequestFactoryBuilder<?> clientHttpRequestFactoryBuilder(HttpComponentsConnectionPool pool,
				ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
			// Boot applies these customizers only to the builder it defines, which backs
			// off for this one: apply them the way Boot does, then the pool last so that
			// it is the one in use.
			ClientHttpRequestFactoryBuilder<?>[] builder = { ClientHttpRequestFactoryBuilder.httpComponents() };
			List<ClientHttpRequestFactoryBuilderCustomizer<?>> all = customizers.orderedStream().toList();
			LambdaSafe.callbacks(ClientHttpRequestFactoryBuilderCustomizer.class, all, builder[0])
				.invoke((customizer) -> builder[0] = customizer.customize(builder[0]));
			return (builder[0] instanceof HttpComponentsClientHttpRequestFactoryBuilder httpComponents)
					? pool.requestFactoryBuilder(httpComponents) : builder[0];
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
		static class HttpComponentsPoolMetricsConfiguration {

			@Bean
			@ConditionalOnMissingBean(name = "resourceHttpComponentsPoolMetrics")
			MeterBinder resourceHttpComponentsPoolMetrics(HttpComponentsConnectionPool pool) {
				// Micrometer's own names too (httpcomponents.httpclient.pool.*), for
				// dashboards made for them.
				return new PoolingHttpClientConnectionManagerMetricsBinder(pool.manager(), ConnectionPools.NAME);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "reactor.netty.http.client.HttpClient",
			"org.springframework.web.reactive.function.client.WebClient" })
	@ConditionalOnMissingBean({ ClientHttpConnectorBuilder.class, ClientHttpConnector.class })
	@ConditionalOnProperty(name = "spring.http.reactiveclient.connector", havingValue = "reactor",
			matchIfMissing = true)
	static class ReactorNettyPoolConfiguration {

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean
		ReactorNettyConnectionPool resourceReactorNettyConnectionPool(PoolProperties properties) {
			return new ReactorNettyConnectionPool(properties);
		}

		@Bean
		@ConditionalOnMissingBean
		@SuppressWarnings("unchecked")
		ClientHttpConnectorBuilder<?> clientHttpConnectorBuilder(ReactorNettyConnectionPool pool,
				ObjectProvider<ClientHttpConnectorBuilderCustomizer<?>> customizers) {
			// As for HttpClient 5. Boot's own customizer that moves the connector onto
			// its ReactorResourceFactory keeps its event loops; the pool set last
			// replaces the factory's connection provider.
			ClientHttpConnectorBuilder<?>[] builder = { ClientHttpConnectorBuilder.reactor() };
			List<ClientHttpConnectorBuilderCustomizer<?>> all = customizers.orderedStream().toList();
			LambdaSafe.callbacks(ClientHttpConnectorBuilderCustomizer.class, all, builder[0])
				.invoke((customizer) -> builder[0] = customizer.customize(builder[0]));
			return (builder[0] instanceof ReactorClientHttpConnectorBuilder reactor) ? pool.connectorBuilder(reactor)
					: builder[0];
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceConnectionPoolMetrics")
		MeterBinder resourceConnectionPoolMetrics(ConnectionPools pools) {
			return new ConnectionPoolMetrics(pools);
		}

	}

}
