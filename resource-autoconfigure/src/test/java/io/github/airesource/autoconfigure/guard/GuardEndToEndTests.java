package io.github.airesource.autoconfigure.guard;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.guard.CallTimeoutException;
import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.guard.ToolIterationLimitException;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Guard rails as an application gets them from the starter: properties, the
 * auto-configured {@link ChatClient.Builder} and OpenAI chat model (which runs tools
 * itself and sends HTTP through Apache HttpClient 5, as Spring Boot picks it when it is
 * on the class path), against a loopback server that speaks the OpenAI wire format.
 */
class GuardEndToEndTests {

	private static final Duration SLOW = Duration.ofSeconds(15);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withConfiguration(AutoConfigurations.of(GuardAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=aiusage,aibudgets",
				"ai.resource.budget.enabled=true", "ai.resource.budget.limits.per-user-daily.scope=user",
				"ai.resource.budget.limits.per-user-daily.max-tokens=100000");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAPromptIsOverTheLimitThenNothingReachesTheProviderAndTheRefusalIsCounted() {
		this.runner.withPropertyValues("ai.resource.guard.max-prompt-tokens=50").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			assertThatThrownBy(() -> ask(client, "Tell me about Paris. ".repeat(30)).call().content())
				.isInstanceOf(PromptTooLargeException.class);

			assertThat(this.server.requestCount()).isZero();
			assertThat(context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice")).satisfies((key) -> {
				assertThat(key.usedTokens()).isZero();
				assertThat(key.reservedTokens()).isZero();
			});
			assertThat(context.getBean(MeterRegistry.class)
				.get("ai.resource.calls")
				.tags("outcome", "rejected")
				.counter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void whenTheOutputIsCappedThenTheWireCarriesTheCapInTheOptionTheModelTakes() {
		this.server.reply(OpenAiCompletion.text("Paris.")).reply(OpenAiCompletion.text("Paris.").model("o4-mini"));
		this.runner.withPropertyValues("ai.resource.guard.max-output-tokens=256").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			ask(client, "What is the capital of France?").call().content();
			ask(client, "What is the capital of France?").options(OpenAiChatOptions.builder().model("o4-mini").build())
				.call()
				.content();

			JsonNode chat = this.server.takeRequest();
			assertThat(chat.path("max_tokens").asInt()).isEqualTo(256);
			assertThat(chat.has("max_completion_tokens")).isFalse();
			JsonNode reasoning = this.server.takeRequest();
			assertThat(reasoning.path("max_completion_tokens").asInt()).isEqualTo(256);
			assertThat(reasoning.has("max_tokens")).isFalse();
		});
	}

	@Test
	void whenTheModelKeepsAskingForAToolThenTheCallEndsAfterExactlyTheAllowedRounds() {
		this.server.answerEveryRequest(
				OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}").usage(50, 10));
		AtomicInteger toolCalls = new AtomicInteger();
		this.runner.withPropertyValues("ai.resource.guard.max-tool-iterations=2").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			assertThatThrownBy(
					() -> ask(client, "What is the weather in Paris?").toolCallbacks(TestTools.weather(toolCalls))
						.call()
						.content())
				.isInstanceOf(ToolIterationLimitException.class)
				.hasMessageContaining("ai.resource.guard.max-tool-iterations");

			assertThat(toolCalls).hasValue(2);
			assertThat(this.server.requestCount()).isEqualTo(3);
			assertThat(context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice").reservedTokens()).isZero();
		});
	}

	@Test
	void whenABlockingCallIsSlowThenItEndsAtTheTimeoutAndItsReservationIsSettled() {
		this.server.replySlowly(OpenAiCompletion.text("Paris.").usage(14, 2), SLOW);
		this.runner.withPropertyValues("ai.resource.guard.timeout=2s").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			long start = System.nanoTime();
			assertThatThrownBy(() -> ask(client, "What is the capital of France?").call().content())
				.isInstanceOf(CallTimeoutException.class);

			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SLOW);
			assertThat(context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice").reservedTokens()).isZero();
			assertThat(context.getBean(MeterRegistry.class)
				.get("ai.resource.calls")
				.tags("outcome", "error")
				.counter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void whenAStreamStallsThenItEndsAtTheTimeoutAndItsReservationIsSettled() {
		this.server.stream(OpenAiCompletion.text("Par", "is", ".").usage(14, 3).stallAfter(1));
		this.runner.withPropertyValues("ai.resource.guard.timeout=2s").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			long start = System.nanoTime();
			assertThatThrownBy(
					() -> ask(client, "What is the capital of France?").stream().content().collectList().block(SLOW))
				.isInstanceOf(CallTimeoutException.class);

			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SLOW);
			await().untilAsserted(() -> assertThat(
					context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice").reservedTokens())
				.isZero());
		});
	}

	private static ChatClient.ChatClientRequestSpec ask(ChatClient client, String question) {
		return client.prompt().user(question).advisors((a) -> a.param(ResourceContextKeys.USER, "alice"));
	}

}
