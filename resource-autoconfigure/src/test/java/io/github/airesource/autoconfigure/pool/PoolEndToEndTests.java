package io.github.airesource.autoconfigure.pool;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.client.HttpClientAutoConfiguration;
import org.springframework.boot.autoconfigure.http.client.reactive.ClientHttpConnectorAutoConfiguration;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pool as an application gets it: Boot's RestClient and WebClient auto-configuration,
 * the real OpenAI client built from their builders, and a loopback server that speaks the
 * OpenAI wire format behind a proxy that counts the sockets the client opens. Calls go
 * over RestClient, streams over WebClient.
 */
class PoolEndToEndTests {

	private static final int BURST = 20;

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final TcpProxy proxy = proxyTo(this.server);

	private final ApplicationContextRunner runner = ResourceAutoConfigurations
		.withOpenAi("http://127.0.0.1:" + this.proxy.port())
		.withConfiguration(AutoConfigurations.of(PoolAutoConfiguration.class, HttpClientAutoConfiguration.class,
				RestClientAutoConfiguration.class, ClientHttpConnectorAutoConfiguration.class,
				WebClientAutoConfiguration.class));

	@AfterEach
	void stop() {
		this.proxy.close();
		this.server.close();
	}

	@Test
	void whenFiftyCallsFollowEachOtherThenOneConnectionCarriesThemAll() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(10, 2));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			for (int i = 0; i < 50; i++) {
				assertThat(client.prompt().user("Capital of France?").call().content()).isEqualTo("Paris.");
			}

			assertThat(this.proxy.acceptedConnections()).isEqualTo(1);
			assertThat(stats(context, ConnectionPoolStats.HTTP_COMPONENTS)).satisfies((pool) -> {
				assertThat(pool.leased()).isZero();
				assertThat(pool.available()).isEqualTo(1);
			});
		});
	}

	@Test
	void whenFiftyStreamsFollowEachOtherThenNoneLeavesAConnectionLeasedAndOnlyOneIsOpenAtATime() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is.").usage(10, 2));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			for (int i = 0; i < 50; i++) {
				List<String> parts = client.prompt()
					.user("Capital of France?")
					.stream()
					.content()
					.collectList()
					.block(Duration.ofSeconds(10));
				assertThat(String.join("", parts)).isEqualTo("Paris.");
				// Spring AI 1.1.6 cancels the response at "[DONE]" (takeUntil), before
				// the end of the body, and Reactor Netty closes a connection whose
				// response was cancelled: a stream reuses its connection only when the
				// end of the body arrived first. What holds is that each connection is
				// back in the pool or closed once the stream ends, never leaked.
				await().pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(10))
					.atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> {
						ConnectionPoolStats pool = stats(context, ConnectionPoolStats.REACTOR_NETTY);
						assertThat(pool.leased()).isZero();
						assertThat(this.proxy.openConnections()).isEqualTo(pool.available());
					});
			}

			assertThat(this.proxy.peakOpenConnections()).isEqualTo(1);
		});
	}

	@Test
	void whenTwentyCallsArriveAtOnceThenNoMoreThanFourConnectionsOpenAndTheRestWait() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(10, 2));

		this.runner.withPropertyValues("ai.resource.pool.max-connections-per-route=4").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			ExecutorService callers = Executors.newFixedThreadPool(BURST);
			try {
				// Replies are held back so that every call is in flight at once.
				this.proxy.holdReplies();
				List<CompletableFuture<String>> calls = new ArrayList<>();
				for (int i = 0; i < BURST; i++) {
					calls.add(CompletableFuture
						.supplyAsync(() -> client.prompt().user("Capital of France?").call().content(), callers));
				}
				await().pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(10))
					.atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> {
						ConnectionPoolStats pool = stats(context, ConnectionPoolStats.HTTP_COMPONENTS);
						assertThat(pool.leased()).isEqualTo(4);
						assertThat(pool.pending()).isEqualTo(BURST - 4);
						assertThat(this.proxy.openConnections()).isEqualTo(4);
					});

				this.proxy.releaseReplies();
				for (CompletableFuture<String> call : calls) {
					assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo("Paris.");
				}
			}
			finally {
				this.proxy.releaseReplies();
				callers.shutdownNow();
			}
			assertThat(this.proxy.peakOpenConnections()).isEqualTo(4);
			assertThat(this.proxy.acceptedConnections()).isEqualTo(4);
		});
	}

	@Test
	void whenTwentyStreamsStartAtOnceThenNoMoreThanFourConnectionsOpenAndTheRestWait() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is.").usage(10, 2));

		this.runner.withPropertyValues("ai.resource.pool.max-connections-per-route=4").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			try {
				this.proxy.holdReplies();
				List<CompletableFuture<List<String>>> streams = new ArrayList<>();
				for (int i = 0; i < BURST; i++) {
					streams.add(client.prompt().user("Capital of France?").stream().content().collectList().toFuture());
				}
				await().pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(10))
					.atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> {
						ConnectionPoolStats pool = stats(context, ConnectionPoolStats.REACTOR_NETTY);
						assertThat(pool.leased()).isEqualTo(4);
						assertThat(pool.pending()).isEqualTo(BURST - 4);
						assertThat(this.proxy.openConnections()).isEqualTo(4);
					});
				assertThat(this.proxy.peakOpenConnections()).isEqualTo(4);

				// From here a stream's connection may be closed at "[DONE]" (see above)
				// and replaced; the proxy sees the close a moment after the client, so
				// its count of open sockets is no longer exact, the pool's is.
				this.proxy.releaseReplies();
				for (CompletableFuture<List<String>> stream : streams) {
					assertThat(String.join("", stream.get(30, TimeUnit.SECONDS))).isEqualTo("Paris.");
				}
			}
			finally {
				this.proxy.releaseReplies();
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(stats(context, ConnectionPoolStats.REACTOR_NETTY).leased()).isZero());
		});
	}

	@Test
	void whenAConnectionIsIdleLongerThanIdleTimeoutThenItIsClosedAndTheNextCallOpensAnother() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(10, 2));

		this.runner.withPropertyValues("ai.resource.pool.idle-timeout=200ms").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			// The usage advisor counts the prompt for its breakdown after the connection
			// went back to the pool; loading the encoding on first use would let the
			// connection idle past the timeout before the first check.
			context.getBean(TokenCounter.class).countText("warm up", "gpt-4o-mini");
			client.prompt().user("Capital of France?").call().content();
			assertThat(this.proxy.openConnections()).isEqualTo(1);

			await().pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(10))
				.atMost(Duration.ofSeconds(10))
				.until(() -> this.proxy.openConnections() == 0);
			assertThat(stats(context, ConnectionPoolStats.HTTP_COMPONENTS).available()).isZero();

			client.prompt().user("Capital of France?").call().content();
			assertThat(this.proxy.acceptedConnections()).isEqualTo(2);
		});
	}

	private static ConnectionPoolStats stats(AssertableApplicationContext context, String client) {
		return context.getBean(ConnectionPools.class).stats(client).orElseThrow();
	}

	private static TcpProxy proxyTo(OpenAiWireServer server) {
		URI uri = URI.create(server.baseUrl());
		return TcpProxy.to(uri.getHost(), uri.getPort());
	}

}
