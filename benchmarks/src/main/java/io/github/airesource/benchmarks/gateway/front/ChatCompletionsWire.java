package io.github.airesource.benchmarks.gateway.front;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * OpenAI's chat-completions JSON, as far as the front speaks it (text messages, no
 * streams, no tools; other request fields are ignored), and its mapping to and from
 * Spring AI's messages, options and {@link ChatResponse}.
 */
public final class ChatCompletionsWire {

	private ChatCompletionsWire() {
	}

	/**
	 * Return the request's messages as Spring AI messages, in order.
	 * @param request the request
	 * @return the messages
	 * @throws IllegalArgumentException for a role other than {@code system},
	 * {@code developer}, {@code user} or {@code assistant}, or no messages
	 */
	public static List<Message> messagesOf(ChatCompletionRequest request) {
		if (request.messages() == null || request.messages().isEmpty()) {
			throw new IllegalArgumentException("messages must not be empty");
		}
		return request.messages().stream().map(ChatCompletionsWire::messageOf).toList();
	}

	private static Message messageOf(ChatMessage message) {
		String text = (message.content() != null) ? message.content() : "";
		return switch (String.valueOf(message.role())) {
			case "system", "developer" -> new SystemMessage(text);
			case "user" -> new UserMessage(text);
			case "assistant" -> new AssistantMessage(text);
			default -> throw new IllegalArgumentException("Unsupported message role: " + message.role());
		};
	}

	/**
	 * Return the request's model, temperature, max tokens and user as OpenAI chat
	 * options; what the request leaves out stays unset, so the application's defaults
	 * apply.
	 * @param request the request
	 * @return the options
	 */
	public static OpenAiChatOptions optionsOf(ChatCompletionRequest request) {
		OpenAiChatOptions.Builder options = OpenAiChatOptions.builder();
		if (StringUtils.hasText(request.model())) {
			options.model(request.model());
		}
		if (request.temperature() != null) {
			options.temperature(request.temperature());
		}
		if (request.maxTokens() != null) {
			options.maxTokens(request.maxTokens());
		}
		if (StringUtils.hasText(request.user())) {
			options.user(request.user());
		}
		return options.build();
	}

	/**
	 * Return a chat completion with the response's first generation and usage.
	 * @param response the model's (or a cache's) response
	 * @param requestedModel the model the request named, used when the response names
	 * none
	 * @param createdSeconds the creation time, in seconds since the epoch
	 * @return the completion
	 */
	public static ChatCompletion completionOf(ChatResponse response, @Nullable String requestedModel,
			long createdSeconds) {
		Generation generation = response.getResult();
		String text = (generation != null) ? generation.getOutput().getText() : null;
		String finishReason = (generation != null) ? generation.getMetadata().getFinishReason() : null;
		String id = response.getMetadata().getId();
		String model = response.getMetadata().getModel();
		Usage usage = response.getMetadata().getUsage();
		int promptTokens = (usage != null && usage.getPromptTokens() != null) ? usage.getPromptTokens() : 0;
		int completionTokens = (usage != null && usage.getCompletionTokens() != null) ? usage.getCompletionTokens() : 0;
		return new ChatCompletion(StringUtils.hasText(id) ? id : "chatcmpl-" + UUID.randomUUID(), "chat.completion",
				createdSeconds, StringUtils.hasText(model) ? model : requestedModel,
				List.of(new Choice(0, new ChatMessage("assistant", (text != null) ? text : ""),
						StringUtils.hasText(finishReason) ? finishReason.toLowerCase(Locale.ROOT) : "stop")),
				new CompletionUsage(promptTokens, completionTokens, promptTokens + completionTokens));
	}

	/**
	 * A chat-completions request.
	 *
	 * @param model the model
	 * @param messages the conversation
	 * @param temperature the sampling temperature, or {@code null}
	 * @param maxTokens the most tokens to produce, or {@code null}
	 * @param user who is asking, or {@code null}
	 * @param stream whether a stream is asked for (not served by the front)
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record ChatCompletionRequest(@Nullable String model, @Nullable List<ChatMessage> messages,
			@Nullable Double temperature, @JsonProperty("max_tokens") @Nullable Integer maxTokens,
			@Nullable String user, @Nullable Boolean stream) {
	}

	/**
	 * One message of a request, or the answer of a completion.
	 *
	 * @param role {@code system}, {@code user} or {@code assistant}
	 * @param content the text
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record ChatMessage(@Nullable String role, @Nullable String content) {
	}

	/**
	 * A chat completion.
	 *
	 * @param id the completion's id
	 * @param object always {@code chat.completion}
	 * @param created when it was made, in seconds since the epoch
	 * @param model the model that answered
	 * @param choices the answers (one)
	 * @param usage the tokens the call took
	 */
	public record ChatCompletion(String id, String object, long created, @Nullable String model, List<Choice> choices,
			CompletionUsage usage) {
	}

	/**
	 * One answer of a chat completion.
	 *
	 * @param index its position
	 * @param message the answer
	 * @param finishReason why the model stopped, such as {@code stop} or {@code length}
	 */
	public record Choice(int index, ChatMessage message, @JsonProperty("finish_reason") String finishReason) {
	}

	/**
	 * The tokens a call took.
	 *
	 * @param promptTokens the prompt's
	 * @param completionTokens the answer's
	 * @param totalTokens both
	 */
	public record CompletionUsage(@JsonProperty("prompt_tokens") int promptTokens,
			@JsonProperty("completion_tokens") int completionTokens, @JsonProperty("total_tokens") int totalTokens) {
	}

}
