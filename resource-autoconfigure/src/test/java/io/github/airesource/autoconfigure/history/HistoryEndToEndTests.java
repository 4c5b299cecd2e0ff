package io.github.airesource.autoconfigure.history;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.history.HistoryAdvisor;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * History trimming and summarization as an application gets them from the starter:
 * properties, the auto-configured {@link ChatClient.Builder} and OpenAI chat model,
 * against a loopback server that speaks the OpenAI wire format.
 */
class HistoryEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.history.max-tokens=600",
				"ai.resource.history.summarize.enabled=true", "ai.resource.history.summarize.model=gpt-4.1-nano");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenALongConversationIsTrimmedThenTheSummaryModelIsAskedAndAiusageAndMetricsShowTheSavingsAndTheSummaryCost() {
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			this.server.reply(OpenAiCompletion.text("SUMMARY: museums.").model("gpt-4.1-nano").usage(400, 30))
				.reply(OpenAiCompletion.text("Take the metro.").usage(420, 10));

			String answer = client.prompt()
				.messages(history(12))
				.user("Question 12: and after that?")
				.advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, "c-e2e"))
				.call()
				.content();

			assertThat(answer).isEqualTo("Take the metro.");
			JsonNode summaryRequest = this.server.takeRequest();
			assertThat(summaryRequest.path("model").asText()).isEqualTo("gpt-4.1-nano");
			JsonNode chat = this.server.takeRequest();
			assertThat(chat.path("model").asText()).isEqualTo("gpt-4o-mini");
			assertThat(chat.path("messages").get(1).path("content").asText())
				.isEqualTo(HistoryAdvisor.SUMMARY_HEADING + "\nSUMMARY: museums.");

			UsageDescriptor usage = context.getBean(UsageEndpoint.class).usage(null);
			UsageDescriptor.HistoryDescriptor history = usage.history();
			assertThat(history).isNotNull();
			assertThat(history.trimmedCalls()).isEqualTo(1);
			assertThat(history.trimmedMessages()).isPositive();
			assertThat(history.savedTokens()).isPositive()
				.isEqualTo(history.trimmedTokens() - history.summaryTokensSent());
			assertThat(history.summaries()).isEqualTo(1);
			assertThat(history.summaryCalls()).isEqualTo(1);
			assertThat(history.summaryTotalTokens()).isEqualTo(430);
			assertThat(history.summaryCost()).isPositive();
			assertThat(usage.models()).containsKey("summary:gpt-4.1-nano");

			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("ai.resource.history.trimmed").functionCounter().count())
				.isEqualTo(history.trimmedMessages());
			assertThat(
					registry.get("ai.resource.history.summaries").tag("outcome", "success").functionCounter().count())
				.isEqualTo(1);
		});
	}

	@Test
	void whenHistoryIsOffThenAiusageHasNoHistoryPart() {
		this.runner.withPropertyValues("ai.resource.history.enabled=false")
			.run((context) -> assertThat(context.getBean(UsageEndpoint.class).usage(null).history()).isNull());
	}

	private static List<Message> history(int turn) {
		List<Message> history = new ArrayList<>();
		history.add(new SystemMessage("You are a travel assistant."));
		for (int i = 1; i < turn; i++) {
			history.add(new UserMessage("Question " + i + ": which museum in Lisbon should I visit on day " + i
					+ " of my trip, and how do I get there from the old town?"));
			history.add(new AssistantMessage("Answer " + i + ": visit the Gulbenkian Museum; take the metro's "
					+ "blue line from Baixa-Chiado to São Sebastião and walk five minutes through the park."));
		}
		return history;
	}

}
