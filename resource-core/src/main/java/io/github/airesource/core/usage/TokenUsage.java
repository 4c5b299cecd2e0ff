package io.github.airesource.core.usage;

/**
 * Token figures of one call, before pricing.
 *
 * @param model the model that served the call
 * @param promptTokens prompt tokens, cached included
 * @param cachedPromptTokens cached prompt tokens
 * @param completionTokens completion tokens, reasoning included
 * @param reasoningTokens reasoning tokens
 * @param estimated whether the figures were counted locally
 */
public record TokenUsage(String model, int promptTokens, int cachedPromptTokens, int completionTokens,
		int reasoningTokens, boolean estimated) {

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
