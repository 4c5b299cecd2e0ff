package io.github.airesource.autoconfigure.pool;

import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.client.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.autoconfigure.http.client.HttpClientAutoConfiguration;
import org.springframework.boot.autoconfigure.http.client.reactive.ClientHttpConnectorAutoConfiguration;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactorySettings;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the pools are configured, how they back off for the application's own HTTP client
 * setup, what invalid values do and what the pools publish.
 */
@ExtendWith(OutputCaptureExtension.class)
class PoolAutoConfigurationTests {

	private static final String WARNING = "The HTTP connection pool is smaller than the concurrency bulkhead";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PoolAutoConfiguration.class, HttpClientAutoConfiguration.class,
				RestClientAutoConfiguration.class, ClientHttpConnectorAutoConfiguration.class,
				WebClientAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	@Test
	void whenDefaultsThenBootsRestAndWebClientBuildersGetThePooledClients() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(HttpComponentsConnectionPool.class)
				.hasSingleBean(ReactorNettyConnectionPool.class);
			assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
				.isInstanceOf(HttpComponentsClientHttpRequestFactoryBuilder.class);
			assertThat(context.getBean(ClientHttpConnectorBuilder.class))
				.isInstanceOf(ReactorClientHttpConnectorBuilder.class);
			assertThat(context.getBean(ConnectionPools.class).stats()).extracting(ConnectionPoolStats::client)
				.containsExactlyInAnyOrder(ConnectionPoolStats.HTTP_COMPONENTS, ConnectionPoolStats.REACTOR_NETTY);
			ConnectionPoolStats httpComponents = context.getBean(ConnectionPools.class)
				.stats(ConnectionPoolStats.HTTP_COMPONENTS)
				.orElseThrow();
			assertThat(httpComponents.maxConnections()).isEqualTo(50);
			assertThat(httpComponents.maxConnectionsPerRoute()).isEqualTo(20);
			assertThat(context.getBean(ConnectionPools.class)
				.stats(ConnectionPoolStats.REACTOR_NETTY)
				.orElseThrow()
				.maxConnectionsPerRoute()).isEqualTo(20);
		});
	}

	@Test
	void whenSizesAreSetThenThePoolHasThem() {
		this.runner
			.withPropertyValues("ai.resource.pool.max-connections=8", "ai.resource.pool.max-connections-per-route=3")
			.run((context) -> {
				ConnectionPoolStats pool = context.getBean(ConnectionPools.class)
					.stats(ConnectionPoolStats.HTTP_COMPONENTS)
					.orElseThrow();
				assertThat(pool.maxConnections()).isEqualTo(8);
				assertThat(pool.maxConnectionsPerRoute()).isEqualTo(3);
			});
	}

	@Test
	void whenTheApplicationDefinesItsRequestFactoryBuilderThenTheHttpClient5PoolBacksOff() {
		this.runner.withUserConfiguration(OwnRequestFactoryBuilder.class).run((context) -> {
			assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
				.isSameAs(context.getBean(OwnRequestFactoryBuilder.class).builder);
			assertThat(context).doesNotHaveBean(HttpComponentsConnectionPool.class);
			assertThat(context.getBean(ConnectionPools.class).stats()).extracting(ConnectionPoolStats::client)
				.containsExactly(ConnectionPoolStats.REACTOR_NETTY);
		});
	}

	@Test
	void whenTheApplicationDefinesItsConnectorBuilderThenTheReactorNettyPoolBacksOff() {
		this.runner.withUserConfiguration(OwnConnectorBuilder.class).run((context) -> {
			assertThat(context.getBean(ClientHttpConnectorBuilder.class))
				.isSameAs(context.getBean(OwnConnectorBuilder.class).builder);
			assertThat(context).doesNotHaveBean(ReactorNettyConnectionPool.class);
			assertThat(context.getBean(ConnectionPools.class).stats()).extracting(ConnectionPoolStats::client)
				.containsExactly(ConnectionPoolStats.HTTP_COMPONENTS);
		});
	}

	@Test
	void whenTheApplicationDefinesItsConnectorThenTheReactorNettyPoolBacksOff() {
		this.runner.withBean(ClientHttpConnector.class, JdkClientHttpConnector::new)
			.run((context) -> assertThat(context).doesNotHaveBean(ReactorNettyConnectionPool.class)
				.hasSingleBean(HttpComponentsConnectionPool.class));
	}

	@Test
	void whenBootIsToldToUseAnotherClientThenThatClientIsNotPooled() {
		this.runner.withPropertyValues("spring.http.client.factory=jdk", "spring.http.reactiveclient.connector=jdk")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(HttpComponentsConnectionPool.class)
					.doesNotHaveBean(ReactorNettyConnectionPool.class);
				assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class)
					.build(ClientHttpRequestFactorySettings.defaults()))
					.isInstanceOf(JdkClientHttpRequestFactory.class);
				assertThat(context.getBean(ConnectionPools.class).stats()).isEmpty();
			});
	}

	@Test
	void whenTheApplicationCustomizesBootsBuilderThenItsCustomizerStillApplies() {
		AtomicBoolean customized = new AtomicBoolean();
		this.runner
			.withBean(ClientHttpRequestFactoryBuilderCustomizer.class,
					() -> (ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder>) (
							builder) -> builder.withCustomizer((factory) -> customized.set(true)))
			.run((context) -> {
				context.getBean(ClientHttpRequestFactoryBuilder.class).build();
				assertThat(customized).isTrue();
				assertThat(context).hasSingleBean(HttpComponentsConnectionPool.class);
			});
	}

	@Test
	void whenPoolIsDisabledThenBootsOwnClientsAreLeftAsTheyAre() {
		this.runner.withPropertyValues("ai.resource.pool.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ConnectionPools.class)
				.doesNotHaveBean(HttpComponentsConnectionPool.class)
				.doesNotHaveBean(ReactorNettyConnectionPool.class)
				.hasSingleBean(ClientHttpRequestFactoryBuilder.class);
			assertThat(context.getBean(MeterRegistry.class).find("ai.resource.pool.max").gauge()).isNull();
		});
	}

	@Test
	void whenAiResourceIsDisabledThenNoPoolIsConfigured() {
		this.runner.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ConnectionPools.class)
				.doesNotHaveBean(HttpComponentsConnectionPool.class)
				.doesNotHaveBean(ReactorNettyConnectionPool.class));
	}

	@Test
	void whenHttpClient5IsNotOnTheClassPathThenThereIsNoHttpClient5PoolAndNoError() {
		this.runner.withClassLoader(new FilteredClassLoader("org.apache.hc.client5")).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(HttpComponentsConnectionPool.class);
			assertThat(context.getBean(ConnectionPools.class).stats()).extracting(ConnectionPoolStats::client)
				.containsExactly(ConnectionPoolStats.REACTOR_NETTY);
		});
	}

	@Test
	void whenReactorNettyIsNotOnTheClassPathThenThereIsNoReactivePoolAndNoError() {
		this.runner.withClassLoader(new FilteredClassLoader("reactor.netty")).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(ReactorNettyConnectionPool.class);
			assertThat(context.getBean(ConnectionPools.class).stats()).extracting(ConnectionPoolStats::client)
				.containsExactly(ConnectionPoolStats.HTTP_COMPONENTS);
		});
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"ai.resource.pool.max-connections=0 | ai.resource.pool.max-connections | such as 50",
			"ai.resource.pool.max-connections-per-route=0 | ai.resource.pool.max-connections-per-route | such as 20",
			"ai.resource.pool.max-connections-per-route=60 | ai.resource.pool.max-connections-per-route | at most 50",
			"ai.resource.pool.connect-timeout=-1s | ai.resource.pool.connect-timeout | such as 5s",
			"ai.resource.pool.read-timeout=-5s | ai.resource.pool.read-timeout | such as 120s",
			"ai.resource.pool.idle-timeout=-1ms | ai.resource.pool.idle-timeout | such as 60s",
			"ai.resource.pool.idle-timeout=0s | ai.resource.pool.idle-timeout | such as 60s" })
	void whenValueIsInvalidThenStartupFailsNamingThePropertyAndTheFix(String setting, String property, String advice) {
		this.runner.withPropertyValues(setting).run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: " + property);
			assertThat(analysis.getAction()).contains(advice);
		});
	}

	@Test
	void whenTheBulkheadAdmitsMoreCallsThanThePoolHasConnectionsPerHostThenOneWarningSaysSo(CapturedOutput output) {
		this.runner
			.withPropertyValues("ai.resource.concurrency.enabled=true", "ai.resource.concurrency.max-concurrent=30")
			.run((context) -> {
				assertThat(output).contains("WARN").contains(WARNING);
				assertThat(output.getAll().split(WARNING, -1)).hasSize(2);
				assertThat(output).contains("ai.resource.concurrency.max-concurrent=30")
					.contains("ai.resource.pool.max-connections-per-route=20")
					.contains("to at least 30");
			});
	}

	@Test
	void whenTheBulkheadFitsThePoolThenThereIsNoWarning(CapturedOutput output) {
		this.runner
			.withPropertyValues("ai.resource.concurrency.enabled=true", "ai.resource.concurrency.max-concurrent=20")
			.run((context) -> assertThat(output).doesNotContain(WARNING));
	}

	@Test
	void whenTheBulkheadIsOffThenThereIsNoWarning(CapturedOutput output) {
		this.runner.withPropertyValues("ai.resource.concurrency.max-concurrent=30")
			.run((context) -> assertThat(output).doesNotContain(WARNING));
	}

	@Test
	void whenMicrometerIsPresentThenEachPoolPublishesLeasedAvailablePendingAndMax() {
		this.runner
			.withPropertyValues("ai.resource.pool.max-connections=8", "ai.resource.pool.max-connections-per-route=3")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				for (String name : new String[] { "leased", "available", "pending", "max" }) {
					assertThat(registry.get("ai.resource.pool." + name).gauges())
						.extracting((gauge) -> gauge.getId().getTag("client"))
						.containsExactlyInAnyOrder(ConnectionPoolStats.HTTP_COMPONENTS,
								ConnectionPoolStats.REACTOR_NETTY);
				}
				assertThat(registry.get("ai.resource.pool.max")
					.tag("client", ConnectionPoolStats.HTTP_COMPONENTS)
					.gauge()
					.value()).isEqualTo(8);
				assertThat(registry.get("ai.resource.pool.leased")
					.tag("client", ConnectionPoolStats.HTTP_COMPONENTS)
					.gauge()
					.value()).isZero();
				assertThat(registry.get("httpcomponents.httpclient.pool.total.max")
					.tag("httpclient", "ai-resource")
					.gauge()
					.value()).isEqualTo(8);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnRequestFactoryBuilder {

		final ClientHttpRequestFactoryBuilder<?> builder = ClientHttpRequestFactoryBuilder.jdk();

		@Bean
		ClientHttpRequestFactoryBuilder<?> ownRequestFactoryBuilder() {
			return this.builder;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnConnectorBuilder {

		final ClientHttpConnectorBuilder<?> builder = ClientHttpConnectorBuilder.jdk();

		@Bean
		ClientHttpConnectorBuilder<?> ownConnectorBuilder() {
			return this.builder;
		}

	}

}
