package io.github.airesource.core.alerts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook notifier POSTs Slack or plain JSON to a loopback server, retries failures
 * and never blocks the caller.
 */
class WebhookNotifierTests {

	private static final AlertTransition TRANSITION = new AlertTransition("tokens-per-minute", AlertStatus.FIRING, 1500,
			1000, Instant.parse("2026-01-01T00:00:00Z"), "1500 tokens in the last minute (threshold 1000)");

	private final ObjectMapper json = new ObjectMapper();

	private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();

	private final AtomicInteger failuresLeft = new AtomicInteger();

	private HttpServer server;

	@BeforeEach
	void start() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/hook", (exchange) -> {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			boolean fail = this.failuresLeft.getAndDecrement() > 0;
			if (!fail) {
				this.bodies.add(exchange.getRequestHeaders().getFirst("Content-Type") + " " + body);
			}
			exchange.sendResponseHeaders(fail ? 500 : 200, -1);
			exchange.close();
		});
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	private URI url() {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + "/hook");
	}

	@Test
	void whenFormatIsSlackThenTheWebhookReceivesATextMessage() throws Exception {
		try (WebhookNotifier notifier = new WebhookNotifier(url(), WebhookNotifier.Format.SLACK, Duration.ofSeconds(2),
				0)) {
			notifier.onTransition(TRANSITION);
			String received = this.bodies.poll(10, TimeUnit.SECONDS);
			assertThat(received).startsWith("application/json ");
			JsonNode body = this.json.readTree(received.substring("application/json ".length()));
			assertThat(body.size()).isEqualTo(1);
			assertThat(body.get("text").asText()).isEqualTo(
					":warning: FIRING: 1500 tokens in the last minute (threshold 1000) (value 1500, threshold 1000)");
		}
	}

	@Test
	void whenFormatIsJsonThenTheWebhookReceivesRuleStatusValueThresholdAndTime() throws Exception {
		try (WebhookNotifier notifier = new WebhookNotifier(url(), WebhookNotifier.Format.JSON, Duration.ofSeconds(2),
				0)) {
			notifier.onTransition(TRANSITION);
			JsonNode body = this.json.readTree(this.bodies.poll(10, TimeUnit.SECONDS).substring(17));
			assertThat(body.get("rule").asText()).isEqualTo("tokens-per-minute");
			assertThat(body.get("status").asText()).isEqualTo("FIRING");
			assertThat(body.get("value").asDouble()).isEqualTo(1500);
			assertThat(body.get("threshold").asDouble()).isEqualTo(1000);
			assertThat(body.get("time").asText()).isEqualTo("2026-01-01T00:00:00Z");
			assertThat(body.get("message").asText()).contains("1500 tokens");
		}
	}

	@Test
	void whenTheWebhookFailsThenItIsRetried() throws Exception {
		this.failuresLeft.set(2);
		try (WebhookNotifier notifier = new WebhookNotifier(url(), WebhookNotifier.Format.JSON, Duration.ofSeconds(2),
				2)) {
			notifier.onTransition(TRANSITION);
			assertThat(this.bodies.poll(10, TimeUnit.SECONDS)).contains("tokens-per-minute");
			await().atMost(Duration.ofSeconds(10)).until(() -> notifier.sent() == 1);
			assertThat(notifier.failed()).isZero();
		}
	}

	@Test
	void whenEveryAttemptFailsThenTheMessageIsCountedAsFailed() {
		this.failuresLeft.set(100);
		try (WebhookNotifier notifier = new WebhookNotifier(url(), WebhookNotifier.Format.JSON, Duration.ofSeconds(2),
				1)) {
			notifier.onTransition(TRANSITION);
			await().atMost(Duration.ofSeconds(10)).until(() -> notifier.failed() == 1);
			assertThat(notifier.sent()).isZero();
			assertThat(this.failuresLeft.get()).isEqualTo(98);
		}
	}

	@Test
	void whenTheSpendReportIsSentAsJsonThenItCarriesTheFigures() throws Exception {
		SpendReport report = new SpendReport(Instant.parse("2026-01-02T09:00:00Z"), 3, 300,
				new java.math.BigDecimal("0.5"),
				java.util.Map.of("gpt-4o", new SpendReport.Line(3, 300, new java.math.BigDecimal("0.5"))),
				java.util.List.of(new SpendReport.Tenant("acme", 2, new java.math.BigDecimal("0.4"))), 1, 100,
				new java.math.BigDecimal("0.1"));
		try (WebhookNotifier notifier = new WebhookNotifier(url(), WebhookNotifier.Format.JSON, Duration.ofSeconds(2),
				0)) {
			notifier.onSpendReport(report);
			JsonNode body = this.json.readTree(this.bodies.poll(10, TimeUnit.SECONDS).substring(17));
			assertThat(body.get("type").asText()).isEqualTo("spend-report");
			assertThat(body.get("calls").asLong()).isEqualTo(3);
			assertThat(body.at("/models/gpt-4o/cost").decimalValue()).isEqualByComparingTo("0.5");
			assertThat(body.at("/topTenants/0/id").asText()).isEqualTo("acme");
			assertThat(body.get("savedTokens").asLong()).isEqualTo(100);
		}
	}

}
