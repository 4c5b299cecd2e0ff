package io.github.airesource.core.cache;

import java.util.List;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.usage.UsageRecord;

import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * Assembles a streamed answer on the side as it passes, so that a cache can store it once
 * the stream completes: the text of its one generation, the finish reason, the model and
 * id, the usage record of the usage advisor or the provider's last reported usage, and
 * the cache result an inner cache set. Signals of one stream are serial, so no locking is
 * needed; create one per stream.
 */
public final class StreamedAnswer {

	private final StringBuilder text = new StringBuilder();

	private String finishReason = "";

	@Nullable
	private String model;

	@Nullable
	private String id;

	@Nullable
	private UsageRecord usageRecord;

	@Nullable
	private ChatResponse lastWithUsage;

	private long lastTotal;

	@Nullable
	private Object cacheResult;

	private boolean uncacheable;

	/**
	 * Take in one element of the stream.
	 * @param response the element
	 */
	public void observe(ChatClientResponse response) {
		if (response.context().get(ResourceContextKeys.USAGE) instanceof UsageRecord record) {
			this.usageRecord = record;
		}
		Object result = response.context().get(ResourceContextKeys.CACHE);
		if (result != null) {
			this.cacheResult = result;
		}
		ChatResponse chatResponse = response.chatResponse();
		if (chatResponse == null || this.uncacheable) {
			return;
		}
		ChatResponseMetadata metadata = chatResponse.getMetadata();
		if (metadata != null) {
			if (StringUtils.hasText(metadata.getModel())) {
				this.model = metadata.getModel();
			}
			if (StringUtils.hasText(metadata.getId())) {
				this.id = metadata.getId();
			}
			long total = (metadata.getUsage() != null) ? (long) orZero(metadata.getUsage().getPromptTokens())
					+ orZero(metadata.getUsage().getCompletionTokens()) : 0;
			// The largest figures, as the usage advisor takes them: a tool loop's rounds
			// can interleave, and the figures only grow within a call.
			if (total > 0 && total >= this.lastTotal) {
				this.lastWithUsage = chatResponse;
				this.lastTotal = total;
			}
		}
		List<Generation> results = chatResponse.getResults();
		if (results == null || results.isEmpty()) {
			return;
		}
		if (results.size() > 1) {
			// Several choices interleaved: replay keeps one, so keep none.
			this.uncacheable = true;
			return;
		}
		Generation generation = results.get(0);
		AssistantMessage output = generation.getOutput();
		if (output != null) {
			if (output.hasToolCalls()) {
				this.uncacheable = true;
				return;
			}
			if (output.getText() != null) {
				this.text.append(output.getText());
			}
		}
		ChatGenerationMetadata generationMetadata = generation.getMetadata();
		if (generationMetadata != null && StringUtils.hasText(generationMetadata.getFinishReason())) {
			this.finishReason = generationMetadata.getFinishReason();
		}
	}

	/**
	 * Whether the stream ended as one whole answer: a stream without a finish reason was
	 * cut off, whatever its transport said, and tool calls or several choices are never
	 * kept.
	 * @return whether the answer may be stored
	 */
	public boolean completed() {
		return !this.uncacheable && !this.finishReason.isEmpty();
	}

	/**
	 * Return the answer as one response, without usage (the cache keeps the usage record
	 * apart).
	 * @return the response
	 */
	public ChatResponse aggregate() {
		ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder();
		if (this.model != null) {
			metadata.model(this.model);
		}
		if (this.id != null) {
			metadata.id(this.id);
		}
		return new ChatResponse(List.of(new Generation(new AssistantMessage(this.text.toString()),
				ChatGenerationMetadata.builder().finishReason(this.finishReason).build())), metadata.build());
	}

	/**
	 * Return the usage advisor's record of the call, when it ran inside the cache.
	 * @return the record or {@code null}
	 */
	@Nullable
	public UsageRecord usageRecord() {
		return this.usageRecord;
	}

	/**
	 * Return the element that carried the provider's largest usage figures.
	 * @return the response or {@code null}
	 */
	@Nullable
	public ChatResponse lastWithUsage() {
		return this.lastWithUsage;
	}

	/**
	 * Return the model the provider reported.
	 * @return the model or {@code null}
	 */
	@Nullable
	public String model() {
		return this.model;
	}

	/**
	 * Return the cache result an inner cache put in the context, such as
	 * {@code hit-semantic}.
	 * @return the result or {@code null}
	 */
	@Nullable
	public Object cacheResult() {
		return this.cacheResult;
	}

	private static int orZero(@Nullable Integer value) {
		return (value != null) ? value : 0;
	}

}
