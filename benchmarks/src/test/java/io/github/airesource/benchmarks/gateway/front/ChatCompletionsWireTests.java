package io.github.airesource.benchmarks.gateway.front;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.airesource.benchmarks.gateway.front.ChatCompletionsWire.ChatCompletionRequest;
import io.github.airesource.benchmarks.gateway.front.ChatCompletionsWire.ChatMessage;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.openai.OpenAiChatOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChatCompletionsWireTests {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void anOpenAiRequestBecomesSpringAiMessagesAndOptions() throws Exception {
		ChatCompletionRequest request = JSON.readValue("""
				{"model": "gpt-4o-mini", "temperature": 0, "max_tokens": 64, "user": "alice",
				 "messages": [{"role": "system", "content": "Be brief."},
				              {"role": "user", "content": "Hi"},
				              {"role": "assistant", "content": "Hello."},
				              {"role": "developer", "content": "No emojis."},
				              {"role": "user", "content": "Where is my order?"}],
				 "seed": 7}""", ChatCompletionRequest.class);

		List<Message> messages = ChatCompletionsWire.messagesOf(request);
		OpenAiChatOptions options = ChatCompletionsWire.optionsOf(request);

		assertThat(messages).extracting(Message::getMessageType)
			.containsExactly(MessageType.SYSTEM, MessageType.USER, MessageType.ASSISTANT, MessageType.SYSTEM,
					MessageType.USER);
		assertThat(messages).extracting(Message::getText)
			.containsExactly("Be brief.", "Hi", "Hello.", "No emojis.", "Where is my order?");
		assertThat(options.getModel()).isEqualTo("gpt-4o-mini");
		assertThat(options.getTemperature()).isZero();
		assertThat(options.getMaxTokens()).isEqualTo(64);
		assertThat(options.getUser()).isEqualTo("alice");
	}

	@Test
	void whatARequestLeavesOutStaysUnsetSoTheApplicationsDefaultsApply() {
		OpenAiChatOptions options = ChatCompletionsWire
			.optionsOf(new ChatCompletionRequest(null, List.of(new ChatMessage("user", "Hi")), null, null, null, null));

		assertThat(options.getModel()).isNull();
		assertThat(options.getTemperature()).isNull();
		assertThat(options.getMaxTokens()).isNull();
		assertThat(options.getUser()).isNull();
	}

	@Test
	void aToolMessageOrNoMessageAtAllIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ChatCompletionsWire.messagesOf(new ChatCompletionRequest("gpt-4o",
					List.of(new ChatMessage("tool", "42")), null, null, null, null)))
			.withMessageContaining("tool");
		assertThatIllegalArgumentException().isThrownBy(() -> ChatCompletionsWire
			.messagesOf(new ChatCompletionRequest("gpt-4o", List.of(), null, null, null, null)));
	}

	@Test
	void aChatResponseBecomesAnOpenAiCompletionWithItsUsage() throws Exception {
		ChatResponse response = new ChatResponse(
				List.of(new Generation(new AssistantMessage("Friday."),
						ChatGenerationMetadata.builder().finishReason("LENGTH").build())),
				ChatResponseMetadata.builder()
					.id("chatcmpl-1")
					.model("gpt-4o-mini-2024-07-18")
					.usage(new DefaultUsage(300, 12))
					.build());

		JsonNode completion = JSON.readTree(
				JSON.writeValueAsString(ChatCompletionsWire.completionOf(response, "gpt-4o-mini", 1_700_000_000)));

		assertThat(completion.path("id").asText()).isEqualTo("chatcmpl-1");
		assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
		assertThat(completion.path("created").asLong()).isEqualTo(1_700_000_000);
		assertThat(completion.path("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
		JsonNode choice = completion.path("choices").get(0);
		assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
		assertThat(choice.path("message").path("content").asText()).isEqualTo("Friday.");
		assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
		assertThat(completion.path("usage").path("prompt_tokens").asInt()).isEqualTo(300);
		assertThat(completion.path("usage").path("completion_tokens").asInt()).isEqualTo(12);
		assertThat(completion.path("usage").path("total_tokens").asInt()).isEqualTo(312);
	}

	@Test
	void aResponseWithoutIdModelOrUsageStillHasTheOpenAiShape() throws Exception {
		ChatResponse response = new ChatResponse(List.of(new Generation(new AssistantMessage("Friday."))));

		JsonNode completion = JSON
			.readTree(JSON.writeValueAsString(ChatCompletionsWire.completionOf(response, "gpt-4o-mini", 1)));

		assertThat(completion.path("id").asText()).startsWith("chatcmpl-");
		assertThat(completion.path("model").asText()).isEqualTo("gpt-4o-mini");
		assertThat(completion.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
		assertThat(completion.path("usage").path("total_tokens").asInt()).isZero();
	}

}
