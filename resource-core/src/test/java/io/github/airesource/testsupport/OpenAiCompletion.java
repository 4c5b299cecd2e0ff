package io.github.airesource.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted chat completion for {@link OpenAiWireServer}: the answer's text (as one
 * message or as stream chunks), tool calls, model and reported usage; or an HTTP error in
 * OpenAI's error format, such as 500 or 429 with {@code Retry-After}. Either can be held
 * back for a while, as a slow provider does.
 */
public final class OpenAiCompletion {

	final List<String> chunks = new ArrayList<>();

	final List<ToolCall> toolCalls = new ArrayList<>();

	String model = "gpt-4o-mini-2024-07-18";

	Integer promptTokens;

	Integer completionTokens;

	int cachedTokens;

	int reasoningTokens;

	boolean usageInStream = true;

	Duration chunkDelay = Duration.ZERO;

	int stallAfterChunks = -1;

	boolean disconnectAfterStall;

	String finishReason;

	String id;

	Duration delay = Duration.ZERO;

	int status = 200;

	String errorMessage;

	Duration retryAfter;

	private OpenAiCompletion() {
	}

	/**
	 * An answer with text; streams send it as the given chunks.
	 * @param chunks the text, in stream chunks
	 * @return the completion
	 */
	public static OpenAiCompletion text(String... chunks) {
		OpenAiCompletion completion = new OpenAiCompletion();
		completion.chunks.addAll(List.of(chunks));
		return completion;
	}

	/**
	 * An HTTP error in OpenAI's error format instead of an answer.
	 * @param status the HTTP status, such as 500
	 * @param message the error message
	 * @return the completion
	 */
	public static OpenAiCompletion error(int status, String message) {
		OpenAiCompletion completion = new OpenAiCompletion();
		completion.status = status;
		completion.errorMessage = message;
		return completion;
	}

	/**
	 * 429 Too Many Requests with a {@code Retry-After} header, as a provider's rate limit
	 * answers.
	 * @param retryAfter the wait the provider asks for, in whole seconds
	 * @return the completion
	 */
	public static OpenAiCompletion rateLimited(Duration retryAfter) {
		OpenAiCompletion completion = error(429, "Rate limit reached");
		completion.retryAfter = retryAfter;
		return completion;
	}

	/**
	 * An answer that asks for a tool call.
	 * @param id the call id
	 * @param name the tool name
	 * @param arguments the JSON arguments
	 * @return the completion
	 */
	public static OpenAiCompletion toolCall(String id, String name, String arguments) {
		OpenAiCompletion completion = new OpenAiCompletion();
		completion.toolCalls.add(new ToolCall(id, name, arguments));
		return completion;
	}

	/**
	 * Report this finish reason instead of {@code stop} (or {@code tool_calls}), such as
	 * {@code length} for an answer cut at max tokens.
	 * @param finishReason the finish reason
	 * @return this completion
	 */
	public OpenAiCompletion finishReason(String finishReason) {
		this.finishReason = finishReason;
		return this;
	}

	String finishReasonOr(String defaultReason) {
		return (this.finishReason != null) ? this.finishReason : defaultReason;
	}

	/**
	 * Answer with this id (every chunk of a stream carries it, as OpenAI's do) instead of
	 * a generated one.
	 * @param id the completion id
	 * @return this completion
	 */
	public OpenAiCompletion id(String id) {
		this.id = id;
		return this;
	}

	/**
	 * Hold the response (its headers, so the whole of it) back this long, as a slow
	 * provider does.
	 * @param delay the pause before the response starts
	 * @return this completion
	 */
	public OpenAiCompletion delay(Duration delay) {
		this.delay = delay;
		return this;
	}

	public OpenAiCompletion model(String model) {
		this.model = model;
		return this;
	}

	/**
	 * Report usage.
	 * @param promptTokens prompt tokens, cached included
	 * @param completionTokens completion tokens, reasoning included
	 * @return this completion
	 */
	public OpenAiCompletion usage(int promptTokens, int completionTokens) {
		this.promptTokens = promptTokens;
		this.completionTokens = completionTokens;
		return this;
	}

	public OpenAiCompletion cachedTokens(int cachedTokens) {
		this.cachedTokens = cachedTokens;
		return this;
	}

	public OpenAiCompletion reasoningTokens(int reasoningTokens) {
		this.reasoningTokens = reasoningTokens;
		return this;
	}

	/**
	 * Report no usage at all, as a provider without usage or a stream without stream
	 * usage.
	 * @return this completion
	 */
	public OpenAiCompletion withoutUsage() {
		this.promptTokens = null;
		this.completionTokens = null;
		this.usageInStream = false;
		return this;
	}

	/**
	 * Wait between stream chunks.
	 * @param delay the pause before each chunk after the first
	 * @return this completion
	 */
	public OpenAiCompletion chunkDelay(Duration delay) {
		this.chunkDelay = delay;
		return this;
	}

	/**
	 * Send only the first chunks of a stream and then keep the connection open without
	 * sending more, as a slow model does; for cancellation tests.
	 * @param chunks how many text chunks to send
	 * @return this completion
	 */
	public OpenAiCompletion stallAfter(int chunks) {
		this.stallAfterChunks = chunks;
		return this;
	}

	/**
	 * Send only the first chunks of a stream and then drop the connection, as a provider
	 * failing mid-stream does.
	 * @param chunks how many text chunks to send
	 * @return this completion
	 */
	public OpenAiCompletion failAfter(int chunks) {
		this.stallAfterChunks = chunks;
		this.disconnectAfterStall = true;
		return this;
	}

	Map<String, Object> usageJson() {
		if (this.promptTokens == null) {
			return null;
		}
		Map<String, Object> usage = new LinkedHashMap<>();
		usage.put("prompt_tokens", this.promptTokens);
		usage.put("completion_tokens", this.completionTokens);
		usage.put("total_tokens", this.promptTokens + this.completionTokens);
		usage.put("prompt_tokens_details", Map.of("cached_tokens", this.cachedTokens, "audio_tokens", 0));
		usage.put("completion_tokens_details", Map.of("reasoning_tokens", this.reasoningTokens, "audio_tokens", 0,
				"accepted_prediction_tokens", 0, "rejected_prediction_tokens", 0));
		return usage;
	}

	String text() {
		return String.join("", this.chunks);
	}

	record ToolCall(String id, String name, String arguments) {
	}

}
