package io.github.airesource.core.usage;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * Reads what the provider reported about a response: its usage, its model and its output
 * text (for estimating when no usage was reported). The usage advisor records calls from
 * it; the budget advisor settles from it when no usage record is at hand.
 */
public final class ProviderUsage {

	private ProviderUsage() {
	}

	/**
	 * Return the provider's usage of a response, or {@code null} when it reported none.
	 * @param response the response
	 * @param model the model name to record
	 * @return the usage or {@code null}
	 */
	@Nullable
	public static TokenUsage of(@Nullable ChatResponse response, String model) {
		if (response == null || response.getMetadata() == null) {
			return null;
		}
		Usage usage = response.getMetadata().getUsage();
		if (usage == null) {
			return null;
		}
		int prompt = orZero(usage.getPromptTokens());
		int completion = orZero(usage.getCompletionTokens());
		if (prompt == 0 && completion == 0) {
			return null;
		}
		Object details = usage.getNativeUsage();
		int cached = Math.min(NativeUsageDetails.cachedTokens(details), prompt);
		int reasoning = Math.min(NativeUsageDetails.reasoningTokens(details), completion);
		return new TokenUsage(model, prompt, cached, completion, reasoning, false);
	}

	/**
	 * Whether a response carries any provider usage; cheaper than {@link #of} for the
	 * many stream chunks that carry none.
	 * @param response the response
	 * @return whether prompt or completion tokens were reported
	 */
	static boolean hasUsage(@Nullable ChatResponse response) {
		Usage usage = (response != null && response.getMetadata() != null) ? response.getMetadata().getUsage() : null;
		return usage != null && (orZero(usage.getPromptTokens()) > 0 || orZero(usage.getCompletionTokens()) > 0);
	}

	/**
	 * Return the model the provider says served a response.
	 * @param response the response
	 * @return the model, or {@code null} when not reported
	 */
	@Nullable
	public static String modelOf(@Nullable ChatResponse response) {
		if (response == null || response.getMetadata() == null) {
			return null;
		}
		String model = response.getMetadata().getModel();
		return StringUtils.hasText(model) ? model : null;
	}

	/**
	 * Append the text a response generated, tool-call names and arguments included.
	 * @param response the response
	 * @param output where to append
	 */
	static void appendOutput(@Nullable ChatResponse response, StringBuilder output) {
		if (response == null) {
			return;
		}
		List<Generation> generations = response.getResults();
		if (generations == null) {
			return;
		}
		for (Generation generation : generations) {
			AssistantMessage message = generation.getOutput();
			if (message == null) {
				continue;
			}
			if (message.getText() != null) {
				output.append(message.getText());
			}
			for (AssistantMessage.ToolCall call : message.getToolCalls()) {
				output.append(call.name()).append(call.arguments());
			}
		}
	}

	/**
	 * Whether a response carries output for the caller: text or tool calls. Role, finish
	 * and usage-only chunks of a stream carry none.
	 * @param response the response
	 * @return whether any generation has text or tool calls
	 */
	static boolean hasOutput(@Nullable ChatResponse response) {
		if (response == null || response.getResults() == null) {
			return false;
		}
		for (Generation generation : response.getResults()) {
			AssistantMessage message = generation.getOutput();
			if (message != null && (StringUtils.hasLength(message.getText()) || message.hasToolCalls())) {
				return true;
			}
		}
		return false;
	}

	private static int orZero(@Nullable Integer value) {
		return (value != null) ? value : 0;
	}

}
