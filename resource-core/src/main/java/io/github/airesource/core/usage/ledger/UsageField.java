package io.github.airesource.core.usage.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.PromptParts;
import io.github.airesource.core.usage.UsageRecord;

/**
 * The counters kept per model and scope, in memory as {@code long} slots and in Redis as
 * hash fields. Cost is kept in nano-dollars so that sums stay exact integers.
 */
public enum UsageField {

	/** Calls recorded. */
	CALLS("calls"),

	/** Calls that did not succeed (errors, cancellations, rejections). */
	FAILED_CALLS("failed"),

	/** Prompt tokens, cached included. */
	PROMPT_TOKENS("prompt"),

	/** Cached prompt tokens. */
	CACHED_PROMPT_TOKENS("cached"),

	/** Completion tokens, reasoning included. */
	COMPLETION_TOKENS("completion"),

	/** Reasoning tokens. */
	REASONING_TOKENS("reasoning"),

	/** Cost of priced calls in nano-dollars. */
	COST_NANOS("cost_nanos"),

	/** Calls whose model has no price; their cost is missing from the cost total. */
	UNPRICED_CALLS("unpriced"),

	/** Calls a cache answered; their tokens and cost count as saved, not spent. */
	CACHE_HITS("cache_hits"),

	/** Prompt plus completion tokens that cache hits did not spend. */
	SAVED_TOKENS("saved_tokens"),

	/**
	 * Cost in nano-dollars that cache hits did not spend, at the original calls' prices.
	 */
	SAVED_COST_NANOS("saved_cost_nanos"),

	/** Prompt tokens of system messages. */
	PROMPT_SYSTEM("prompt_system"),

	/** Prompt tokens of earlier turns (user and assistant messages before the last). */
	PROMPT_HISTORY("prompt_history"),

	/** Prompt tokens of the new (last) user message. */
	PROMPT_USER("prompt_user"),

	/** Prompt tokens of tool definitions. */
	PROMPT_TOOL_DEFINITIONS("prompt_tool_definitions"),

	/** Prompt tokens of tool results. */
	PROMPT_TOOL_RESULTS("prompt_tool_results");

	static final int COUNT = values().length;

	private static final UsageField[] FIELDS = values();

	private final String key;

	UsageField(String key) {
		this.key = key;
	}

	/**
	 * Return the name of the field in stores.
	 * @return the key
	 */
	public String key() {
		return this.key;
	}

	/**
	 * Return the counter increments of one recorded call, indexed by ordinal.
	 * @param record the call
	 * @return the increments
	 */
	public static long[] deltas(UsageRecord record) {
		long[] deltas = new long[COUNT];
		deltas[CALLS.ordinal()] = 1;
		long cost = (record.cost() != null)
				? record.cost().movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValue() : 0;
		if (record.outcome() == CallOutcome.CACHE_HIT) {
			// A hit spent nothing: what the original call cost is what the hit saved.
			deltas[CACHE_HITS.ordinal()] = 1;
			deltas[SAVED_TOKENS.ordinal()] = record.totalTokens();
			deltas[SAVED_COST_NANOS.ordinal()] = cost;
			return deltas;
		}
		deltas[FAILED_CALLS.ordinal()] = (record.outcome() != CallOutcome.SUCCESS) ? 1 : 0;
		deltas[PROMPT_TOKENS.ordinal()] = record.promptTokens();
		deltas[CACHED_PROMPT_TOKENS.ordinal()] = record.cachedPromptTokens();
		deltas[COMPLETION_TOKENS.ordinal()] = record.completionTokens();
		deltas[REASONING_TOKENS.ordinal()] = record.reasoningTokens();
		if (record.cost() != null) {
			deltas[COST_NANOS.ordinal()] = cost;
		}
		else {
			deltas[UNPRICED_CALLS.ordinal()] = 1;
		}
		PromptParts parts = record.promptParts();
		if (parts != null) {
			deltas[PROMPT_SYSTEM.ordinal()] = parts.system();
			deltas[PROMPT_HISTORY.ordinal()] = parts.history();
			deltas[PROMPT_USER.ordinal()] = parts.user();
			deltas[PROMPT_TOOL_DEFINITIONS.ordinal()] = parts.toolDefinitions();
			deltas[PROMPT_TOOL_RESULTS.ordinal()] = parts.toolResults();
		}
		return deltas;
	}

	/**
	 * Turn counter values, indexed by ordinal, into totals.
	 * @param values the values
	 * @return the totals
	 */
	public static UsageTotals totals(long[] values) {
		return new UsageTotals(values[CALLS.ordinal()], values[FAILED_CALLS.ordinal()], values[PROMPT_TOKENS.ordinal()],
				values[CACHED_PROMPT_TOKENS.ordinal()], values[COMPLETION_TOKENS.ordinal()],
				values[REASONING_TOKENS.ordinal()], BigDecimal.valueOf(values[COST_NANOS.ordinal()], 9),
				values[UNPRICED_CALLS.ordinal()], values[CACHE_HITS.ordinal()], values[SAVED_TOKENS.ordinal()],
				BigDecimal.valueOf(values[SAVED_COST_NANOS.ordinal()], 9),
				new PromptParts(values[PROMPT_SYSTEM.ordinal()], values[PROMPT_HISTORY.ordinal()],
						values[PROMPT_USER.ordinal()], values[PROMPT_TOOL_DEFINITIONS.ordinal()],
						values[PROMPT_TOOL_RESULTS.ordinal()]));
	}

	/**
	 * Return the field stored under a key.
	 * @param key the store key
	 * @return the field, or {@code null} if none
	 */
	public static UsageField ofKey(String key) {
		for (UsageField field : FIELDS) {
			if (field.key.equals(key)) {
				return field;
			}
		}
		return null;
	}

}
