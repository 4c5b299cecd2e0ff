package io.github.airesource.autoconfigure.alerts;

import java.io.IOException;
import java.time.Duration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.github.airesource.actuate.alerts.AlertsDescriptor;
import io.github.airesource.actuate.alerts.AlertsEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.alerts.AlertStatus;
import io.github.airesource.core.alerts.AlertTransition;
import io.github.airesource.core.alerts.SpendReport;
import io.github.airesource.core.alerts.SpendReporter;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alerts as an application gets them from the starter: real chat calls through the OpenAI
 * client to a loopback wire server fill the usage ledger, the evaluator (driven directly,
 * not by its schedule) fires, an application event arrives, the webhook gets the JSON,
 * and a webhook that hangs delays no chat call.
 */
class AlertsEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ObjectMapper json = new ObjectMapper();

	private final BlockingQueue<String> webhookBodies = new LinkedBlockingQueue<>();

	private final CountDownLatch webhookEntered = new CountDownLatch(1);

	private final CountDownLatch webhookRelease = new CountDownLatch(1);

	private volatile boolean webhookHangs;

	private HttpServer webhook;

	private ApplicationContextRunner runner;

	@BeforeEach
	void start() throws IOException {
		this.webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.webhook.createContext("/hook", (exchange) -> {
			this.webhookBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
			this.webhookEntered.countDown();
			if (this.webhookHangs) {
				try {
					this.webhookRelease.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		this.webhook.start();
		// A check interval of an hour: the test drives the evaluator itself.
		this.runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withBean(AlertCollector.class)
			.withPropertyValues("management.endpoints.web.exposure.include=aialerts", "ai.resource.alerts.enabled=true",
					"ai.resource.alerts.check-interval=1h", "ai.resource.alerts.thresholds.tokens-per-minute=100",
					"ai.resource.alerts.webhook.format=json", "ai.resource.alerts.webhook.timeout=60s",
					"ai.resource.alerts.webhook.retries=0",
					"ai.resource.alerts.webhook.url=http://127.0.0.1:" + this.webhook.getAddress().getPort() + "/hook");
	}

	@AfterEach
	void stop() {
		this.webhookRelease.countDown();
		this.webhook.stop(0);
		this.server.close();
	}

	@Test
	void whenTokensPerMinuteCrossTheThresholdThenAnApplicationEventAndTheWebhookAnnounceIt() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(80, 40));
		this.runner.run((context) -> {
			AlertEvaluator evaluator = context.getBean(AlertEvaluator.class);
			assertThat(evaluator.evaluate()).isEmpty();

			assertThat(ask(context.getBean(ChatClient.Builder.class).build())).isEqualTo("Paris.");
			evaluator.evaluate();

			List<AlertTransition> events = context.getBean(AlertCollector.class).transitions;
			assertThat(events).singleElement().satisfies((transition) -> {
				assertThat(transition.rule()).isEqualTo("tokens-per-minute");
				assertThat(transition.status()).isEqualTo(AlertStatus.FIRING);
				assertThat(transition.value()).isEqualTo(120);
				assertThat(transition.threshold()).isEqualTo(100);
			});
			JsonNode body = this.json.readTree(this.webhookBodies.poll(10, TimeUnit.SECONDS));
			assertThat(body.get("rule").asText()).isEqualTo("tokens-per-minute");
			assertThat(body.get("status").asText()).isEqualTo("FIRING");
			assertThat(body.get("value").asDouble()).isEqualTo(120);
			assertThat(body.get("threshold").asDouble()).isEqualTo(100);
			assertThat(body.get("time").asText()).isNotBlank();

			AlertsDescriptor alerts = context.getBean(AlertsEndpoint.class).alerts();
			assertThat(alerts.active()).singleElement().satisfies((active) -> {
				assertThat(active.rule()).isEqualTo("tokens-per-minute");
				assertThat(active.value()).isEqualTo(120);
				assertThat(active.message()).contains("120 tokens in the last minute");
			});
			assertThat(alerts.transitions()).extracting(AlertsDescriptor.TransitionDescriptor::status)
				.containsExactly("FIRING");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("ai.resource.alerts.active").gauge().value()).isEqualTo(1);
			assertThat(meters.get("ai.resource.alerts.transitions")
				.tags("rule", "tokens-per-minute", "status", "firing")
				.counter()
				.count()).isEqualTo(1);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> meters.get("ai.resource.alerts.webhook").tags("result", "sent").functionCounter().count(),
						(count) -> count == 1);
			assertThat(alerts.rules()).filteredOn((rule) -> rule.rule().equals("tokens-per-minute"))
				.singleElement()
				.satisfies((rule) -> {
					assertThat(rule.enabled()).isTrue();
					assertThat(rule.value()).isEqualTo(120.0);
					assertThat(rule.firing()).isTrue();
				});
		});
	}

	@Test
	void whenTheWebhookHangsThenEvaluationAndChatCallsComplete() {
		this.webhookHangs = true;
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(80, 40));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			AlertEvaluator evaluator = context.getBean(AlertEvaluator.class);
			ask(client);
			assertThat(evaluator.evaluate()).hasSize(1);
			assertThat(this.webhookEntered.await(10, TimeUnit.SECONDS)).as("the webhook was called").isTrue();

			// The webhook now hangs on its own thread; a chat call and another evaluation
			// both complete before it is released.
			assertThat(ask(client)).isEqualTo("Paris.");
			evaluator.evaluate();
			assertThat(this.webhookRelease.getCount()).as("the webhook still hangs").isEqualTo(1);
			assertThat(context.getBean(AlertCollector.class).transitions).hasSize(1);
			this.webhookRelease.countDown();
		});
	}

	@Test
	void whenTheWebhookIsUnreachableThenChatCallsAndEventsAreUnaffected() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(80, 40));
		this.webhook.stop(0);
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			assertThat(ask(client)).isEqualTo("Paris.");
			context.getBean(AlertEvaluator.class).evaluate();
			assertThat(ask(client)).isEqualTo("Paris.");
			assertThat(context.getBean(AlertCollector.class).transitions).singleElement()
				.satisfies((transition) -> assertThat(transition.status()).isEqualTo(AlertStatus.FIRING));
		});
	}

	@Test
	void whenTheSpendReportIsPublishedThenAnEventAndTheWebhookCarryTheDaysFigures() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(80, 40));
		this.runner.withPropertyValues("ai.resource.alerts.spend-report.enabled=true").run((context) -> {
			assertThat(ask(context.getBean(ChatClient.Builder.class).build())).isEqualTo("Paris.");

			context.getBean(AlertEvaluator.class).publish(context.getBean(SpendReporter.class).report());

			assertThat(context.getBean(AlertCollector.class).reports).singleElement().satisfies((report) -> {
				assertThat(report.calls()).isEqualTo(1);
				assertThat(report.tokens()).isEqualTo(120);
				// The ledger keys calls by the model the provider reported.
				assertThat(report.models()).containsOnlyKeys("gpt-4o-mini-2024-07-18");
				assertThat(report.cost()).isPositive();
			});
			JsonNode body = this.json.readTree(this.webhookBodies.poll(10, TimeUnit.SECONDS));
			assertThat(body.get("type").asText()).isEqualTo("spend-report");
			assertThat(body.get("tokens").asLong()).isEqualTo(120);
			assertThat(body.at("/models/gpt-4o-mini-2024-07-18/calls").asLong()).isEqualTo(1);
		});
	}

	private static String ask(ChatClient client) {
		return client.prompt()
			.user("What is the capital of France?")
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
			.call()
			.content();
	}

	/**
	 * Collects the alert events as an application would listen to them.
	 */
	static class AlertCollector implements ApplicationListener<ApplicationEvent> {

		final List<AlertTransition> transitions = new CopyOnWriteArrayList<>();

		final List<SpendReport> reports = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(ApplicationEvent event) {
			if (event instanceof AlertEvent alert) {
				this.transitions.add(alert.getTransition());
			}
			if (event instanceof SpendReportEvent spend) {
				this.reports.add(spend.getReport());
			}
		}

	}

}
