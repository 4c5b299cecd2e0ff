package io.github.airesource.core.usage.ledger;

import java.math.BigDecimal;

import io.github.airesource.core.usage.PromptParts;

/**
 * Summed usage of many calls.
 *
 * @param calls calls recorded
 * @param failedCalls calls that failed, were cancelled or were rejected
 * @param promptTokens prompt tokens, cached included
 * @param cachedPromptTokens cached prompt tokens
 * @param completionTokens completion tokens, reasoning included
 * @param reasoningTokens reasoning tokens
 * @param cost cost in USD of the priced calls
 * @param unpricedCalls calls of models without a price, whose cost {@code cost} lacks
 * @param cacheHits calls a cache answered; they are in {@code calls} but spent nothing
 * @param savedTokens prompt plus completion tokens the cache hits did not spend
 * @param savedCost USD the cache hits did not spend, at the original calls' prices
 * @param promptParts the prompt tokens of the calls with a breakdown, by part (system
 * prompt, history, new user message, tool definitions, tool results)
 */
public record UsageTotals(long calls, long failedCalls, long promptTokens, long cachedPromptTokens,
		long completionTokens, long reasoningTokens, BigDecimal cost, long unpricedCalls, long cacheHits,
		long savedTokens, BigDecimal savedCost, PromptParts promptParts) {

	/** Totals of no calls. */
	public static final UsageTotals EMPTY = UsageField.totals(new long[UsageField.COUNT]);

	/**
	 * Return prompt plus completion tokens.
	 * @return the total tokens
	 */
	public long totalTokens() {
		return this.promptTokens + this.completionTokens;
	}

	/**
	 * Return the share of prompt tokens served from the provider's prompt cache.
	 * @return cached prompt tokens over prompt tokens, 0 without prompt tokens
	 */
	public double cachedPromptShare() {
		return (this.promptTokens > 0) ? (double) this.cachedPromptTokens / this.promptTokens : 0;
	}

}
