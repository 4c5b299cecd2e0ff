package io.github.airesource.core.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;

import static org.assertj.core.api.Assertions.assertThat;

class MaxOutputTokensTests {

	@ParameterizedTest
	@ValueSource(strings = { "o1", "o1-mini", "o3", "o3-mini-2025-01-31", "o4-mini", "gpt-5", "gpt-5-mini",
			"openai/GPT-5-nano", "gpt-5.1" })
	void whenTheModelIsAnOpenAiReasoningModelThenItTakesMaxCompletionTokens(String model) {
		assertThat(MaxOutputTokens.takesMaxCompletionTokens(model)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "gpt-4o", "gpt-4o-mini", "gpt-4.1", "claude-sonnet-4", "omni-moderation-latest" })
	void whenTheModelIsNotAReasoningModelThenItTakesMaxTokens(String model) {
		assertThat(MaxOutputTokens.takesMaxCompletionTokens(model)).isFalse();
	}

	@Test
	void whenTheOptionsAreGenericThenMaxTokensIsCappedOnACopy() {
		ChatOptions options = ChatOptions.builder().model("claude-sonnet-4").maxTokens(8000).build();
		ChatClientRequest request = request(options);

		ChatClientRequest capped = MaxOutputTokens.cap(request, 1000, "claude-sonnet-4");

		assertThat(capped.prompt().getOptions().getMaxTokens()).isEqualTo(1000);
		assertThat(capped.prompt().getOptions().getModel()).isEqualTo("claude-sonnet-4");
		assertThat(options.getMaxTokens()).as("the caller's options").isEqualTo(8000);
		assertThat(capped.prompt().getInstructions()).isSameAs(request.prompt().getInstructions());
	}

	@Test
	void whenTheRequestHasNoOptionsThenItGetsOptionsWithTheCap() {
		ChatClientRequest capped = MaxOutputTokens.cap(request(null), 1000, "gpt-4o");

		assertThat(capped.prompt().getOptions().getMaxTokens()).isEqualTo(1000);
	}

	@Test
	void whenTheRequestIsWithinTheCapThenItIsReturnedUnchanged() {
		ChatClientRequest request = request(OpenAiChatOptions.builder().maxTokens(10).build());
		ChatClientRequest reasoning = request(OpenAiChatOptions.builder().model("o3").maxCompletionTokens(10).build());

		assertThat(MaxOutputTokens.cap(request, 1000, "gpt-4o")).isSameAs(request);
		assertThat(MaxOutputTokens.cap(reasoning, 1000, "o3")).isSameAs(reasoning);
	}

	@Test
	void whenAReasoningRequestSetsMaxTokensThenItMovesToMaxCompletionTokens() {
		ChatClientRequest request = request(OpenAiChatOptions.builder().model("o3").maxTokens(100).build());

		OpenAiChatOptions capped = (OpenAiChatOptions) MaxOutputTokens.cap(request, 1000, "o3").prompt().getOptions();

		assertThat(capped.getMaxCompletionTokens()).isEqualTo(100);
		assertThat(capped.getMaxTokens()).isNull();
	}

	private static ChatClientRequest request(ChatOptions options) {
		return ChatClientRequest.builder().prompt(new Prompt(new UserMessage("Hi"), options)).build();
	}

}
