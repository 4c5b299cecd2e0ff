package io.github.airesource.core.usage;

import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.lang.Nullable;

/**
 * Follows one streamed call. OpenAI sends usage only when stream usage is on, in the
 * finish chunk and again in a trailing chunk without choices, and a tool loop's later
 * chunks carry the cumulative figures: so the largest (in the provider's order, the last)
 * non-empty usage is the call's usage, never a sum. The text produced so far is kept for
 * estimating when no usage arrives.
 *
 * <p>
 * Methods are synchronized because a cancel signal can arrive on another thread while a
 * chunk is being observed; the lock is per stream and never held across blocking calls.
 */
final class StreamUsageTracker {

	private final AtomicBoolean recorded = new AtomicBoolean();

	private final StringBuilder output = new StringBuilder();

	@Nullable
	private ChatResponse lastWithUsage;

	@Nullable
	private String model;

	private boolean started;

	synchronized void observe(ChatClientResponse response) {
		this.started = true;
		ChatResponse chatResponse = response.chatResponse();
		String reported = ProviderUsage.modelOf(chatResponse);
		if (reported != null) {
			this.model = reported;
		}
		// The largest figures, not merely the last: in a model-side tool loop Spring AI
		// merges the first round's trailing usage chunk with the next round's chunks
		// (flatMap), so under load the first round's smaller figures can arrive after the
		// cumulative ones. The figures only grow within a call, so the largest is the
		// last in the provider's own order.
		if (ProviderUsage.hasUsage(chatResponse)
				&& (this.lastWithUsage == null || totalOf(chatResponse) >= totalOf(this.lastWithUsage))) {
			this.lastWithUsage = chatResponse;
		}
		ProviderUsage.appendOutput(chatResponse, this.output);
	}

	private static long totalOf(ChatResponse response) {
		Usage usage = response.getMetadata().getUsage();
		return (long) orZero(usage.getPromptTokens()) + orZero(usage.getCompletionTokens());
	}

	private static int orZero(@Nullable Integer value) {
		return (value != null) ? value : 0;
	}

	/**
	 * Return the provider's usage, from the chunk that carried the largest figures.
	 * @param model the model to record
	 * @return the usage, or {@code null} if no chunk carried usage
	 */
	@Nullable
	synchronized TokenUsage providerUsage(String model) {
		return ProviderUsage.of(this.lastWithUsage, model);
	}

	@Nullable
	synchronized String model() {
		return this.model;
	}

	/**
	 * Whether the provider started answering: from then on the prompt is billed.
	 * @return whether any chunk arrived
	 */
	synchronized boolean started() {
		return this.started;
	}

	synchronized String output() {
		return this.output.toString();
	}

	/**
	 * Claim the right to record the stream; only the first terminal signal gets it.
	 * @return whether the caller should record
	 */
	boolean claim() {
		return this.recorded.compareAndSet(false, true);
	}

}
