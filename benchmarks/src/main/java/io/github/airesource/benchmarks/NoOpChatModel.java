package io.github.airesource.benchmarks;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * A chat model that answers at once with a fixed response: the baseline costs only what
 * {@code ChatClient} itself does.
 */
final class NoOpChatModel implements ChatModel {

	private final ChatResponse response;

	private NoOpChatModel(ChatResponse response) {
		this.response = response;
	}

	/**
	 * A model that reports usage, as OpenAI does.
	 * @return the model
	 */
	static NoOpChatModel reportingUsage() {
		return new NoOpChatModel(
				new ChatResponse(List.of(new Generation(new AssistantMessage("Your order ships today."))),
						ChatResponseMetadata.builder()
							.model("gpt-4o-mini-2024-07-18")
							.usage(new DefaultUsage(520, 6))
							.build()));
	}

	/**
	 * A model that reports no usage, so the usage advisor must count.
	 * @return the model
	 */
	static NoOpChatModel withoutUsage() {
		return new NoOpChatModel(
				new ChatResponse(List.of(new Generation(new AssistantMessage("Your order ships today."))),
						ChatResponseMetadata.builder().model("gpt-4o-mini-2024-07-18").build()));
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		return this.response;
	}

	@Override
	public ChatOptions getDefaultOptions() {
		return ChatOptions.builder().model("gpt-4o-mini").build();
	}

}
