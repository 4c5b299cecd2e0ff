package io.github.airesource.autoconfigure.routing;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.routing.RoutingDecision;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing as an application gets it from the starter: rules in properties, the
 * auto-configured {@link ChatClient.Builder} and OpenAI chat model (default model
 * {@code gpt-4o}) against a loopback server that answers as the model it was asked for.
 * The model on the wire and the model in the ledger are the routed one.
 */
class RoutingEndToEndTests {

	private static final String SHORT = "Capital of France?";

	private static final String LONG = "Tell me everything about the history of Paris. ".repeat(80);

	private final OpenAiWireServer server = OpenAiWireServer.start()
		.answerEveryRequest(
				(request) -> OpenAiCompletion.text("Paris.").model(request.path("model").asText()).usage(40, 2));

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withPropertyValues("spring.ai.openai.chat.options.model=gpt-4o", "ai.resource.routing.enabled=true",
				"ai.resource.routing.rules[0].name=premium", "ai.resource.routing.rules[0].tier=premium",
				"ai.resource.routing.rules[0].model=gpt-4.1", "ai.resource.routing.rules[1].max-prompt-tokens=500",
				"ai.resource.routing.rules[1].tools=false", "ai.resource.routing.rules[1].model=gpt-4o-mini",
				"ai.resource.routing.context-window-fallback=gpt-4.1",
				"ai.resource.routing.context-windows[gpt-4o]=300");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAShortCallWithoutToolsMatchesThenTheCheapModelIsOnTheWireInTheLedgerAndInTheMetric() {
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			ChatClientResponse response = client.prompt().user(SHORT).call().chatClientResponse();

			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
			assertThat(((UsageRecord) response.context().get(ResourceContextKeys.USAGE)).model())
				.isEqualTo("gpt-4o-mini");
			assertThat(response.context().get(ResourceContextKeys.ROUTING_DECISION))
				.isEqualTo(new RoutingDecision("gpt-4o", "gpt-4o-mini", RoutingDecision.RULE, "rules[1]"));
			UsageDescriptor report = context.getBean(UsageEndpoint.class).usage(null);
			assertThat(report.models()).containsOnlyKeys("gpt-4o-mini");
			assertThat(routed(context.getBean(MeterRegistry.class), "gpt-4o-mini", "rule")).isEqualTo(1);
		});
	}

	@Test
	void whenToolsArePresentThenTheToolsFalseRuleDoesNotMatchAndTheCallKeepsItsModel() {
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			client.prompt().user(SHORT).toolCallbacks(TestTools.weather(new AtomicInteger())).call().content();

			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
			assertThat(context.getBean(UsageEndpoint.class).usage(null).models()).containsOnlyKeys("gpt-4o");
		});
	}

	@Test
	void whenTheTierParamMatchesThenTheFirstRuleWins() {
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			client.prompt().user(SHORT).advisors((a) -> a.param(ResourceContextKeys.TIER, "premium")).call().content();

			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1");
			assertThat(context.getBean(UsageEndpoint.class).usage(null).models()).containsOnlyKeys("gpt-4.1");
		});
	}

	@Test
	void whenTheCallerOptsOutThenTheCallGoesToItsOwnModel() {
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			ChatClientResponse response = client.prompt()
				.user(SHORT)
				.advisors((a) -> a.param(ResourceContextKeys.ROUTING, false))
				.call()
				.chatClientResponse();

			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
			assertThat(response.context()).doesNotContainKey(ResourceContextKeys.ROUTING_DECISION);
			assertThat(context.getBean(UsageEndpoint.class).usage(null).models()).containsOnlyKeys("gpt-4o");
			assertThat(context.getBean(MeterRegistry.class).find("ai.resource.routing.routed").counters()).isEmpty();
		});
	}

	@Test
	void whenThePromptOverflowsTheModelsContextWindowThenTheLargerContextModelTakesIt() {
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			ChatClientResponse response = client.prompt().user(LONG).call().chatClientResponse();

			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1");
			assertThat(response.context().get(ResourceContextKeys.ROUTING_DECISION))
				.isEqualTo(new RoutingDecision("gpt-4o", "gpt-4.1", RoutingDecision.CONTEXT_WINDOW, "context-window"));
			assertThat(context.getBean(UsageEndpoint.class).usage(null).models()).containsOnlyKeys("gpt-4.1");
			assertThat(routed(context.getBean(MeterRegistry.class), "gpt-4.1", "context-window")).isEqualTo(1);
		});
	}

	private static double routed(MeterRegistry meters, String model, String reason) {
		return meters.get("ai.resource.routing.routed").tag("model", model).tag("reason", reason).counter().count();
	}

}
