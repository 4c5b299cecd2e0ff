package io.github.airesource.core.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.openai.OpenAiChatOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The routing advisor in front of the real OpenAI client, against a loopback server that
 * answers as the model it was asked for: the model on the wire is the routed one.
 */
class RoutingAdvisorTests {

	private static final String SHORT = "Capital of France?";

	private static final String LONG = "Tell me everything about the history of Paris. ".repeat(40);

	private final OpenAiWireServer server = OpenAiWireServer.start()
		.answerEveryRequest((request) -> OpenAiCompletion.text("Paris.").model(request.path("model").asText()));

	private final List<RoutingDecision> decisions = new ArrayList<>();

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAShortPromptWithoutToolsMatchesTheFirstRuleThenItGoesToThatRulesModel() {
		ChatClient client = client(RoutingAdvisor.builder()
			.rules(List.of(RoutingRule.to("gpt-4.1-nano").name("small").maxPromptTokens(500).tools(false).build(),
					RoutingRule.to("gpt-4o").name("catch-all").build())));

		ChatClientResponse response = client.prompt().user(SHORT).call().chatClientResponse();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1-nano");
		assertThat(response.context().get(ResourceContextKeys.ROUTING_DECISION))
			.isEqualTo(new RoutingDecision("gpt-4o-mini", "gpt-4.1-nano", RoutingDecision.RULE, "small"));
		assertThat(this.decisions).hasSize(1);
	}

	@Test
	void whenAPromptIsAboveTheBoundThenTheNextMatchingRuleApplies() {
		ChatClient client = client(RoutingAdvisor.builder()
			.rules(List.of(RoutingRule.to("gpt-4.1-nano").maxPromptTokens(50).build(),
					RoutingRule.to("gpt-4o").minPromptTokens(51).build())));

		client.prompt().user(LONG).call().content();
		client.prompt().user(SHORT).call().content();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1-nano");
	}

	@Test
	void whenToolsArePresentOrAbsentThenOnlyTheRuleForThatCaseMatches() {
		ChatClient client = client(RoutingAdvisor.builder()
			.rules(List.of(RoutingRule.to("gpt-4o").tools(true).build(),
					RoutingRule.to("gpt-4.1-nano").tools(false).build())));

		client.prompt().user(SHORT).toolCallbacks(TestTools.weather()).call().content();
		client.prompt().user(SHORT).call().content();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1-nano");
	}

	@Test
	void whenTheTierParamOrTheTenantMatchesThenTheCallIsRoutedElseItKeepsItsModel() {
		ChatClient client = client(RoutingAdvisor.builder()
			.rules(List.of(RoutingRule.to("gpt-4o").tier("premium").build(),
					RoutingRule.to("gpt-4.1").tenants(List.of("acme")).build())));

		client.prompt().user(SHORT).advisors((a) -> a.param(ResourceContextKeys.TIER, "premium")).call().content();
		client.prompt().user(SHORT).advisors((a) -> a.param(ResourceContextKeys.TIER, "free")).call().content();
		client.prompt().user(SHORT).advisors((a) -> a.param(ResourceContextKeys.TENANT, "acme")).call().content();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1");
	}

	@Test
	void whenTheCallerOptsOutThenNoRuleAndNoContextWindowApplies() {
		ChatClient client = client(RoutingAdvisor.builder()
			.rules(List.of(RoutingRule.to("gpt-4.1-nano").build()))
			.contextWindows(ContextWindows.withDefaults(Map.of("gpt-4o", 50)))
			.contextWindowFallback("gpt-4.1"));

		ChatClientResponse response = client.prompt()
			.user(LONG)
			.options(OpenAiChatOptions.builder().model("gpt-4o").build())
			.advisors((a) -> a.param(ResourceContextKeys.ROUTING, false))
			.call()
			.chatClientResponse();
		client.prompt().user(SHORT).advisors((a) -> a.param(ResourceContextKeys.ROUTING, "off")).call().content();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
		assertThat(response.context()).doesNotContainKey(ResourceContextKeys.ROUTING_DECISION);
		assertThat(this.decisions).isEmpty();
		assertThatThrownBy(() -> client.prompt()
			.user(SHORT)
			.advisors((a) -> a.param(ResourceContextKeys.ROUTING, "maybe"))
			.call()
			.content()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ai.resource.routing");
	}

	@Test
	void whenThePromptAndItsOutputOverflowTheContextWindowThenTheCallGoesToTheLargerModel() {
		ChatClient client = client(RoutingAdvisor.builder()
			.rules(List.of(RoutingRule.to("gpt-4o").tier("premium").build()))
			.contextWindows(ContextWindows.withDefaults(Map.of("gpt-4o-mini", 300, "gpt-4o", 200)))
			.contextWindowFallback("gpt-4.1"));

		ChatClientResponse routed = client.prompt().user(LONG).call().chatClientResponse();
		client.prompt().user(SHORT).call().content();
		client.prompt()
			.user(SHORT)
			.options(OpenAiChatOptions.builder().model("gpt-4o-mini").maxTokens(290).build())
			.call()
			.content();
		client.prompt().user(LONG).advisors((a) -> a.param(ResourceContextKeys.TIER, "premium")).call().content();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
		assertThat(this.server.takeRequest().path("model").asText()).as("prompt plus max tokens over 300")
			.isEqualTo("gpt-4.1");
		assertThat(this.server.takeRequest().path("model").asText()).as("the rule's model is checked too")
			.isEqualTo("gpt-4.1");
		assertThat(routed.context().get(ResourceContextKeys.ROUTING_DECISION)).isEqualTo(new RoutingDecision(
				"gpt-4o-mini", "gpt-4.1", RoutingDecision.CONTEXT_WINDOW, RoutingAdvisor.CONTEXT_WINDOW_RULE));
		assertThat(routed.context().get(ResourceContextKeys.PROMPT_TOKENS)).as("the count is kept for later advisors")
			.isNotNull();
	}

	@Test
	void whenNotEvenTheFallbackFitsThenTheCallKeepsItsModel() {
		ChatClient client = client(RoutingAdvisor.builder()
			.contextWindows(ContextWindows.withDefaults(Map.of("gpt-4o-mini", 50, "gpt-4.1", 60)))
			.contextWindowFallback("gpt-4.1"));

		client.prompt().user(LONG).call().content();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
	}

	@Test
	void whenAStreamIsRoutedThenTheWireCarriesTheModelAndEveryElementTheDecision() {
		ChatClient client = client(
				RoutingAdvisor.builder().rules(List.of(RoutingRule.to("gpt-4.1-nano").maxPromptTokens(500).build())));

		List<ChatClientResponse> responses = client.prompt()
			.user(SHORT)
			.stream()
			.chatClientResponse()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1-nano");
		assertThat(responses).isNotEmpty()
			.allSatisfy((response) -> assertThat(response.context()).containsKey(ResourceContextKeys.ROUTING_DECISION));
	}

	@Test
	void whenConfiguredModelsAreGivenThenARuleMatchesOnlyCallsForThoseModelsByFamily() {
		ChatClient client = client(RoutingAdvisor.builder()
			.rules(List.of(RoutingRule.to("gpt-4.1-nano").models(List.of("gpt-4o")).build())));

		client.prompt()
			.user(SHORT)
			.options(OpenAiChatOptions.builder().model("openai/GPT-4o-2024-08-06").build())
			.call()
			.content();
		client.prompt().user(SHORT).call().content();

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1-nano");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
	}

	private ChatClient client(RoutingAdvisor.Builder routing) {
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(routing.listener(this.decisions::add).build())
			.build();
	}

}
