package io.github.airesource.core.support;

import java.util.HashMap;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.tokens.PromptTokens;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

import static org.assertj.core.api.Assertions.assertThat;

class RequestModelsTests {

	@Test
	void whenARequestGoesToAnotherModelThenItKeepsItsMessagesAndTheirCountIsReused() {
		TokenCounter counter = TokenCounter.builder().recordMemoStats(true).build();
		ChatOptions options = ChatOptions.builder().model("gpt-4o-mini").temperature(0.0).build();
		ChatClientRequest request = new ChatClientRequest(
				new Prompt(List.of(new SystemMessage("Answer briefly."), new UserMessage("Where is my order?")),
						options),
				new HashMap<>());
		PromptTokens counted = RequestTokens.of(request, counter, "gpt-4o-mini");
		long lookups = counter.memoStats().requestCount();

		ChatClientRequest rerouted = RequestModels.withModel(request, "gpt-4o");

		assertThat(rerouted.prompt().getOptions().getModel()).isEqualTo("gpt-4o");
		assertThat(rerouted.prompt().getOptions().getTemperature()).isEqualTo(0.0);
		assertThat(options.getModel()).as("the caller's options").isEqualTo("gpt-4o-mini");
		assertThat(rerouted.prompt().getInstructions()).isSameAs(request.prompt().getInstructions());
		assertThat(RequestTokens.of(rerouted, counter, "gpt-4o")).isSameAs(counted);
		assertThat(counter.memoStats().requestCount()).as("memo lookups after routing").isEqualTo(lookups);
	}

}
