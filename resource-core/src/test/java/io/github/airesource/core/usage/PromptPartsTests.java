package io.github.airesource.core.usage;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.tokens.PromptTokens;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

import static org.assertj.core.api.Assertions.assertThat;

class PromptPartsTests {

	private final TokenCounter counter = TokenCounter.create();

	@Test
	void whenAPromptHasEveryPartThenEachMessageGoesToItsPartAndThePartsAddUpToTheCount() {
		List<Message> messages = List.of(new SystemMessage("You are a weather assistant. Answer briefly."),
				new UserMessage("What is the weather in Rome?"), new AssistantMessage("Sunny, 25 degrees."),
				new UserMessage("And in Paris?"),
				AssistantMessage.builder()
					.toolCalls(List.of(new AssistantMessage.ToolCall("call_1", "function", "get_current_weather",
							"{\"location\":\"Paris\"}")))
					.build(),
				ToolResponseMessage.builder()
					.responses(List.of(new ToolResponseMessage.ToolResponse("call_1", "get_current_weather",
							"{\"temperature\":21,\"unit\":\"celsius\"}")))
					.build());
		Prompt prompt = new Prompt(messages,
				ToolCallingChatOptions.builder().model("gpt-4o").toolCallbacks(TestTools.weather()).build());
		PromptTokens tokens = this.counter.countPrompt(prompt, "gpt-4o");

		PromptParts parts = PromptParts.of(tokens, messages);

		assertThat(parts.system()).isEqualTo(tokens.messageTokens(0));
		assertThat(parts.history())
			.isEqualTo(tokens.messageTokens(1) + tokens.messageTokens(2) + tokens.messageTokens(4));
		assertThat(parts.user()).isEqualTo(tokens.messageTokens(3) + tokens.replyPriming());
		assertThat(parts.toolDefinitions()).isEqualTo(tokens.toolTokens()).isPositive();
		assertThat(parts.toolResults()).isEqualTo(tokens.messageTokens(5)).isPositive();
		assertThat(parts.total()).isEqualTo(tokens.total());
	}

	@Test
	void whenScaledToTheProvidersTotalThenThePartsKeepTheirSharesAndAddUpExactly() {
		PromptParts parts = new PromptParts(500, 300, 101, 66, 33);

		PromptParts scaled = parts.scaledTo(1517);

		assertThat(scaled.total()).isEqualTo(1517);
		assertThat(scaled.system()).isBetween(759L, 760L);
		assertThat(scaled.history()).isBetween(455L, 456L);
		assertThat(parts.scaledTo(parts.total())).isSameAs(parts);
		assertThat(parts.scaledTo(0)).isEqualTo(PromptParts.EMPTY);
		assertThat(new PromptParts(1, 1, 1, 0, 0).scaledTo(2).total()).isEqualTo(2);
	}

	@Test
	void whenNoMessageIsAUserMessageThenNothingIsCountedAsTheNewMessageButThePriming() {
		List<Message> messages = List.of(new SystemMessage("Summarize."));
		PromptTokens tokens = this.counter.countPrompt(new Prompt(messages), "gpt-4o");

		PromptParts parts = PromptParts.of(tokens, messages);

		assertThat(parts.user()).isEqualTo(tokens.replyPriming());
		assertThat(parts.total()).isEqualTo(tokens.total());
		assertThat(Map.of("history", parts.history())).containsEntry("history", 0L);
	}

}
