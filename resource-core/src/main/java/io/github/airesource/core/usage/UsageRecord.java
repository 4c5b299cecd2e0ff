package io.github.airesource.core.usage;

import java.math.BigDecimal;
import java.time.Duration;

import org.springframework.lang.Nullable;

/**
 * What one call used and cost. The usage advisor puts it in the response context under
 * {@code ai.resource.usage}.
 *
 * <p>
 * Token figures follow the provider's conventions: {@code promptTokens} includes the
 * {@code cachedPromptTokens} served from the provider's prompt cache, and
 * {@code completionTokens} includes the {@code reasoningTokens}.
 *
 * @param model the model that served the call, as the provider reported it
 * @param promptTokens prompt tokens, cached ones included
 * @param cachedPromptTokens prompt tokens billed at the cached-input price
 * @param completionTokens completion tokens, reasoning ones included
 * @param reasoningTokens hidden reasoning tokens
 * @param cost the cost in USD, or {@code null} when the model has no price
 * @param estimated whether the token figures were counted locally because the provider
 * reported none
 * @param latency time from the call entering the usage advisor to its last response
 * @param outcome how the call ended
 * @param purpose why the call was made
 * @param promptParts where the prompt tokens went (system prompt, history, new user
 * message, tool definitions, tool results), adding up to {@code promptTokens}; scaled to
 * the provider's figure when it reported one; {@code null} when unknown
 */
public record UsageRecord(String model, int promptTokens, int cachedPromptTokens, int completionTokens,
		int reasoningTokens, @Nullable BigDecimal cost, boolean estimated, Duration latency, CallOutcome outcome,
		UsagePurpose purpose, @Nullable PromptParts promptParts) {

	/**
	 * Create a record without a breakdown of the prompt.
	 * @param model the model that served the call
	 * @param promptTokens prompt tokens, cached ones included
	 * @param cachedPromptTokens prompt tokens billed at the cached-input price
	 * @param completionTokens completion tokens, reasoning ones included
	 * @param reasoningTokens hidden reasoning tokens
	 * @param cost the cost in USD, or {@code null} when the model has no price
	 * @param estimated whether the token figures were counted locally
	 * @param latency how long the call took
	 * @param outcome how the call ended
	 * @param purpose why the call was made
	 */
	public UsageRecord(String model, int promptTokens, int cachedPromptTokens, int completionTokens,
			int reasoningTokens, @Nullable BigDecimal cost, boolean estimated, Duration latency, CallOutcome outcome,
			UsagePurpose purpose) {
		this(model, promptTokens, cachedPromptTokens, completionTokens, reasoningTokens, cost, estimated, latency,
				outcome, purpose, null);
	}

	/**
	 * Create the record of an application chat call.
	 * @param model the model that served the call
	 * @param promptTokens prompt tokens, cached ones included
	 * @param cachedPromptTokens prompt tokens billed at the cached-input price
	 * @param completionTokens completion tokens, reasoning ones included
	 * @param reasoningTokens hidden reasoning tokens
	 * @param cost the cost in USD, or {@code null} when the model has no price
	 * @param estimated whether the token figures were counted locally
	 * @param latency how long the call took
	 * @param outcome how the call ended
	 */
	public UsageRecord(String model, int promptTokens, int cachedPromptTokens, int completionTokens,
			int reasoningTokens, @Nullable BigDecimal cost, boolean estimated, Duration latency, CallOutcome outcome) {
		this(model, promptTokens, cachedPromptTokens, completionTokens, reasoningTokens, cost, estimated, latency,
				outcome, UsagePurpose.CHAT, null);
	}

	/**
	 * Return the key of the ledger line this call is recorded under: the model for chat
	 * calls, {@code purpose:model} for calls the library made itself.
	 * @return the ledger key
	 */
	public String ledgerKey() {
		return this.purpose.ledgerKey(this.model);
	}

	/**
	 * Return prompt plus completion tokens.
	 * @return the total tokens
	 */
	public int totalTokens() {
		return this.promptTokens + this.completionTokens;
	}

}
