package io.github.airesource.autoconfigure.history;

import io.github.airesource.core.history.HistoryStatistics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The history meters: {@code ai.resource.history.trimmed} (messages left out of prompts),
 * {@code ai.resource.history.trimmed.tokens} (their tokens),
 * {@code ai.resource.history.cuts} (how often a conversation's prompt start moved) and
 * {@code ai.resource.history.summaries} (tag {@code outcome}: success, error, timeout).
 * Never tagged by conversation. The summaries' own tokens and cost are in
 * {@code ai.resource.tokens} and {@code ai.resource.cost} under their model.
 */
final class HistoryMetrics {

	private HistoryMetrics() {
	}

	static void bind(HistoryStatistics statistics, MeterRegistry registry) {
		FunctionCounter.builder("ai.resource.history.trimmed", statistics, HistoryStatistics::trimmedMessages)
			.description("Messages history trimming left out of prompts")
			.baseUnit("messages")
			.register(registry);
		FunctionCounter.builder("ai.resource.history.trimmed.tokens", statistics, HistoryStatistics::trimmedTokens)
			.description("Tokens of the messages history trimming left out of prompts")
			.baseUnit("tokens")
			.register(registry);
		FunctionCounter.builder("ai.resource.history.cuts", statistics, HistoryStatistics::cutsMoved)
			.description("Times a conversation's history was cut anew, changing the start of its prompt")
			.register(registry);
		FunctionCounter.builder("ai.resource.history.summaries", statistics, HistoryStatistics::summaries)
			.description("History summaries made")
			.tag("outcome", "success")
			.register(registry);
		FunctionCounter.builder("ai.resource.history.summaries", statistics, HistoryStatistics::summaryFailures)
			.description("History summaries made")
			.tag("outcome", "error")
			.register(registry);
		FunctionCounter.builder("ai.resource.history.summaries", statistics, HistoryStatistics::summaryTimeouts)
			.description("History summaries made")
			.tag("outcome", "timeout")
			.register(registry);
	}

}
