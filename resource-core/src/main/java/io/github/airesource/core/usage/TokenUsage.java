package io.github.airesource.core.usage;

import org.springframework.lang.Nullable;

/**
 * Token figures of one call, before pricing.
 *
 * @param model the model that served the call
 * @param promptTokens prompt tokens, cached included
 * @param cachedPromptTokens cached prompt tokens
 * @param completionTokens completion tokens, reasoning included
 * @param reasoningTokens reasoning tokens
 * @param estimated whether the figures were counted locally
 * @param promptParts where the prompt tokens went, adding up to {@code promptTokens}, or
 * {@code null} when unknown
 */
public record TokenUsage(String model, int promptTokens, int cachedPromptTokens, int completionTokens,
		int reasoningTokens, boolean estimated, @Nullable PromptParts promptParts) {

	/**
	 * Create figures without a breakdown of the prompt.
	 * @param model the model that served the call
	 * @param promptTokens prompt tokens, cached included
	 * @param cachedPromptTokens cached prompt tokens
	 * @param completionTokens completion tokens, reasoning included
	 * @param reasoningTokens reasoning tokens
	 * @param estimated whether the figures were counted locally
	 */
	public TokenUsage(String model, int promptTokens, int cachedPromptTokens, int completionTokens, int reasoningTokens,
			boolean estimated) {
		this(model, promptTokens, cachedPromptTokens, completionTokens, reasoningTokens, estimated, null);
	}

	/**
	 * Return these figures with a breakdown of the prompt.
	 * @param parts the parts, adding up to {@code promptTokens}
	 * @return the figures
	 */
	public TokenUsage withPromptParts(@Nullable PromptParts parts) {
		return new TokenUsage(this.model, this.promptTokens, this.cachedPromptTokens, this.completionTokens,
				this.reasoningTokens, this.estimated, parts);
	}

	/**
	 * Return figures for a call that used nothing, such as a request the provider
	 * refused.
	 * @param model the model
	 * @return zero usage
	 */
	public static TokenUsage none(String model) {
		return new TokenUsage(model, 0, 0, 0, 0, false);
	}

}
