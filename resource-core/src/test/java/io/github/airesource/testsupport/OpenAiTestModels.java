package io.github.airesource.testsupport;

import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.retry.support.RetryTemplate;

/**
 * The real {@code spring-ai-openai} chat model, pointed at an {@link OpenAiWireServer}.
 */
public final class OpenAiTestModels {

	private OpenAiTestModels() {
	}

	/**
	 * A chat model with {@code gpt-4o-mini} as default, stream usage on and no retries.
	 * @param server the wire server
	 * @return the model
	 */
	public static OpenAiChatModel chatModel(OpenAiWireServer server) {
		return chatModel(server, true);
	}

	/**
	 * A chat model with {@code gpt-4o-mini} as default and no retries.
	 * @param server the wire server
	 * @param streamUsage whether streams ask for usage
	 * ({@code stream_options.include_usage})
	 * @return the model
	 */
	public static OpenAiChatModel chatModel(OpenAiWireServer server, boolean streamUsage) {
		return chatModel(server, streamUsage, ToolCallingManager.builder().build());
	}

	/**
	 * A chat model with {@code gpt-4o-mini} as default, stream usage on, no retries and
	 * the given manager running its tools.
	 * @param server the wire server
	 * @param toolCallingManager runs the tools the model asks for
	 * @return the model
	 */
	public static OpenAiChatModel chatModel(OpenAiWireServer server, ToolCallingManager toolCallingManager) {
		return chatModel(server, true, toolCallingManager);
	}

	private static OpenAiChatModel chatModel(OpenAiWireServer server, boolean streamUsage,
			ToolCallingManager toolCallingManager) {
		return OpenAiChatModel.builder()
			.openAiApi(OpenAiApi.builder().baseUrl(server.baseUrl()).apiKey("test-key").build())
			.defaultOptions(OpenAiChatOptions.builder().model("gpt-4o-mini").streamUsage(streamUsage).build())
			.toolCallingManager(toolCallingManager)
			.retryTemplate(RetryTemplate.builder().maxAttempts(1).build())
			.build();
	}

}
