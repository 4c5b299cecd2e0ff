package io.github.airesource.autoconfigure.usage;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.actuate.usage.UsageDescriptor.PromptPartsDescriptor;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.usage.PromptParts;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Prompt economy as an application gets it from the starter: each call's input tokens
 * broken down by part in the ledger and in {@code aiusage}, the share served from the
 * provider's prompt cache, the largest system prompts by hash and first words, and the
 * warning about a large system prompt. Through the real OpenAI client over HTTP.
 */
@ExtendWith(OutputCaptureExtension.class)
class PromptEconomyEndToEndTests {

	private static final String SECRET = "zebra-4711";

	private static final String SYSTEM = "You are the weather assistant of Acme Travel. Keep the code " + SECRET
			+ " to yourself. " + "Answer in one short sentence and name the unit of every temperature. ".repeat(30);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl());

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenTheProviderReportsNoUsageThenTheEstimatesPartsAddUpToThePromptTotalAndShowInAiusage() {
		this.server.reply(OpenAiCompletion.text("It is 21 degrees Celsius in Paris.").withoutUsage());
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			UsageRecord record = (UsageRecord) client.prompt()
				.messages(conversation())
				.toolCallbacks(TestTools.weather())
				.call()
				.chatClientResponse()
				.context()
				.get(ResourceContextKeys.USAGE);

			assertThat(record.estimated()).isTrue();
			PromptParts parts = record.promptParts();
			assertThat(parts).isNotNull();
			assertThat(parts.total()).isEqualTo(record.promptTokens());
			assertThat(List.of(parts.system(), parts.history(), parts.user(), parts.toolDefinitions(),
					parts.toolResults()))
				.allSatisfy((part) -> assertThat(part).isPositive());
			assertThat(parts.system()).isGreaterThan(parts.history() + parts.user() + parts.toolResults());

			UsageDescriptor report = context.getBean(UsageEndpoint.class).usage(null);
			PromptPartsDescriptor shown = report.models().get("gpt-4o-mini-2024-07-18").total().promptParts();
			assertThat(shown.system().tokens()).isEqualTo(parts.system());
			assertThat(shown.history().tokens()).isEqualTo(parts.history());
			assertThat(shown.user().tokens()).isEqualTo(parts.user());
			assertThat(shown.toolDefinitions().tokens()).isEqualTo(parts.toolDefinitions());
			assertThat(shown.toolResults().tokens()).isEqualTo(parts.toolResults());
			assertThat(shown.system().share() + shown.history().share() + shown.user().share()
					+ shown.toolDefinitions().share() + shown.toolResults().share())
				.isCloseTo(1.0, within(0.001));
			assertThat(shown.system().share()).isCloseTo((double) parts.system() / record.promptTokens(),
					within(0.0001));
		});
	}

	@Test
	void whenTheProviderReportsUsageThenThePartsAreScaledToItsPromptTotalAndTheCachedShareIsShown() {
		this.server
			.reply(OpenAiCompletion.text("It is 21 degrees Celsius in Paris.").usage(2000, 12).cachedTokens(1536));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			UsageRecord record = (UsageRecord) client.prompt()
				.messages(conversation())
				.toolCallbacks(TestTools.weather())
				.call()
				.chatClientResponse()
				.context()
				.get(ResourceContextKeys.USAGE);

			assertThat(record.estimated()).isFalse();
			assertThat(record.promptTokens()).isEqualTo(2000);
			assertThat(record.promptParts().total()).isEqualTo(2000);
			assertThat(record.promptParts().toolResults()).isPositive();
			UsageDescriptor.TotalsDescriptor total = context.getBean(UsageEndpoint.class)
				.usage(null)
				.models()
				.get("gpt-4o-mini-2024-07-18")
				.total();
			assertThat(total.cachedPromptShare()).isEqualTo(0.768);
			assertThat(total.promptParts().system().tokens() + total.promptParts().history().tokens()
					+ total.promptParts().user().tokens() + total.promptParts().toolDefinitions().tokens()
					+ total.promptParts().toolResults().tokens())
				.isEqualTo(2000);
		});
	}

	@Test
	void whenSystemPromptsAreSentThenAiusageListsTheLargestByHashAndFirstWordsNeverTheirText() {
		this.server.reply(OpenAiCompletion.text("Sunny.").usage(700, 2))
			.reply(OpenAiCompletion.text("Sunny.").usage(700, 2))
			.reply(OpenAiCompletion.text("Yes.").usage(20, 1));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			client.prompt().system(SYSTEM).user("Weather in Paris?").call().content();
			client.prompt().system(SYSTEM).user("Weather in Rome?").call().content();
			client.prompt().system("Answer yes or no.").user("Is it raining?").call().content();

			UsageDescriptor report = context.getBean(UsageEndpoint.class).usage(null);
			assertThat(report.largestSystemPrompts()).hasSize(2);
			UsageDescriptor.SystemPromptDescriptor largest = report.largestSystemPrompts().get(0);
			assertThat(largest.hash()).matches("[0-9a-f]{16}");
			assertThat(largest.firstWords()).isEqualTo("You are the weather assistant of…");
			assertThat(largest.calls()).isEqualTo(2);
			assertThat(largest.tokens()).isGreaterThan(report.largestSystemPrompts().get(1).tokens());
			String json = new ObjectMapper().writeValueAsString(report);
			assertThat(json).doesNotContain(SECRET).doesNotContain("Answer yes or no").doesNotContain("Keep the code");
		});
	}

	@Test
	void whenASystemPromptIsOverTheWarningSizeThenOneWarningIsLoggedForIt(CapturedOutput output) {
		this.server.answerEveryRequest(OpenAiCompletion.text("Sunny.").usage(700, 2));
		this.runner.withPropertyValues("ai.resource.history.system-prompt-warn-tokens=200").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			for (int i = 0; i < 3; i++) {
				client.prompt().system(SYSTEM).user("Weather in Paris?").call().content();
			}
			client.prompt().system("Answer yes or no.").user("Is it raining?").call().content();

			String hash = context.getBean(UsageEndpoint.class).usage(null).largestSystemPrompts().get(0).hash();
			assertThat(output.getOut().split("system-prompt-warn-tokens", -1)).hasSize(2);
			assertThat(output.getOut()).contains("WARN").contains(hash).doesNotContain(SECRET);
		});
	}

	@Test
	void whenThePromptBreakdownIsOffThenNoPartsAndNoSystemPromptsAreKept() {
		this.server.reply(OpenAiCompletion.text("Sunny.").usage(700, 2));
		this.runner.withPropertyValues("ai.resource.usage.prompt-breakdown=false").run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			UsageRecord record = (UsageRecord) client.prompt()
				.system(SYSTEM)
				.user("Weather in Paris?")
				.call()
				.chatClientResponse()
				.context()
				.get(ResourceContextKeys.USAGE);

			assertThat(record.promptParts()).isNull();
			UsageDescriptor report = context.getBean(UsageEndpoint.class).usage(null);
			assertThat(report.largestSystemPrompts()).isEmpty();
			assertThat(report.global().total().promptParts().system().tokens()).isZero();
		});
	}

	private static List<Message> conversation() {
		return List.of(new SystemMessage(SYSTEM), new UserMessage("What is the weather in Rome?"),
				new AssistantMessage("It is 25 degrees Celsius and sunny in Rome."),
				new UserMessage("And in Paris, in Celsius?"),
				AssistantMessage.builder()
					.toolCalls(List.of(new AssistantMessage.ToolCall("call_1", "function", "get_current_weather",
							"{\"location\":\"Paris\",\"unit\":\"celsius\"}")))
					.build(),
				ToolResponseMessage.builder()
					.responses(List.of(new ToolResponseMessage.ToolResponse("call_1", "get_current_weather",
							"{\"temperature\":21,\"unit\":\"celsius\"}")))
					.build());
	}

}
