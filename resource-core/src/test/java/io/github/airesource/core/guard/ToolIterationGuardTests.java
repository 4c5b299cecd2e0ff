package io.github.airesource.core.guard;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.model.tool.ToolCallingManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tool-iteration guard around the {@link ToolCallingManager} of a model that runs its
 * tools itself: the real OpenAI chat model with internal tool execution, against a
 * loopback server whose model keeps asking for a tool.
 */
class ToolIterationGuardTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final AtomicInteger toolCalls = new AtomicInteger();

	private final ChatClient client = ChatClient
		.builder(OpenAiTestModels.chatModel(this.server,
				new ToolIterationGuard(ToolCallingManager.builder().build(), 3)))
		.build();

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenTheModelKeepsAskingForAToolThenTheCallEndsAfterExactlyTheAllowedRounds() {
		this.server.answerEveryRequest(weatherCall());

		assertThatThrownBy(() -> ask().call().content()).isInstanceOf(ToolIterationLimitException.class);

		assertThat(this.toolCalls).hasValue(3);
		assertThat(this.server.requestCount()).isEqualTo(4);
	}

	@Test
	void whenAStreamingModelKeepsAskingForAToolThenTheStreamFailsAfterExactlyTheAllowedRounds() {
		this.server.answerEveryRequest(weatherCall());

		assertThatThrownBy(() -> ask().stream().content().collectList().block(Duration.ofSeconds(20)))
			.isInstanceOf(ToolIterationLimitException.class);

		assertThat(this.toolCalls).hasValue(3);
	}

	@Test
	void whenTheModelAnswersWithinTheAllowedRoundsThenTheAnswerComesThrough() {
		this.server.reply(weatherCall()).reply(weatherCall()).reply(weatherCall());
		this.server.reply(OpenAiCompletion.text("21 degrees."));

		assertThat(ask().call().content()).isEqualTo("21 degrees.");
		assertThat(this.toolCalls).hasValue(3);
	}

	@Test
	void whenEarlierTurnsOfTheConversationRanToolsThenOnlyTheCurrentTurnCounts() {
		AssistantMessage asked = AssistantMessage.builder()
			.content("")
			.toolCalls(List.of(new AssistantMessage.ToolCall("c1", "function", "get_current_weather", "{}")))
			.build();
		ToolResponseMessage answered = ToolResponseMessage.builder()
			.responses(List.of(new ToolResponseMessage.ToolResponse("c1", "get_current_weather", "{}")))
			.build();
		List<Message> conversation = List.of(new UserMessage("Weather?"), asked, answered, asked, answered,
				new UserMessage("And now?"), asked, answered);

		assertThat(ToolIterations.count(conversation)).isEqualTo(1);
	}

	private ChatClient.ChatClientRequestSpec ask() {
		return this.client.prompt()
			.user("What is the weather in Paris?")
			.toolCallbacks(TestTools.weather(this.toolCalls));
	}

	private static OpenAiCompletion weatherCall() {
		return OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}");
	}

}
