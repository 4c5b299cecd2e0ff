package io.github.airesource.actuate.usage;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.airesource.core.history.HistoryStatistics;
import io.github.airesource.core.usage.PromptParts;
import io.github.airesource.core.usage.SystemPromptStats;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.ledger.UsageTotals;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.lang.Nullable;

/**
 * The {@code aiusage} endpoint's report. Like Spring Boot's own endpoint results it is an
 * {@link OperationResponseBody}, so Actuator writes it with its own JSON mapper and its
 * shape (camelCase names) is the same whatever the application configures for its own
 * JSON, such as {@code spring.jackson.property-naming-strategy}.
 *
 * @param store where the figures come from and how the store is doing
 * @param global usage of all calls
 * @param models usage per model
 * @param scopes per scope type ({@code tenant}, {@code user}): tracked count and top
 * scopes by cost
 * @param unpricedModels models used without a price
 * @param largestSystemPrompts the largest system prompts by tokens, by hash and first
 * words, never their text; empty when the prompt breakdown is off
 * @param history what history trimming saved and its summaries cost, {@code null} when
 * history trimming is off
 */
public record UsageDescriptor(StoreDescriptor store, SummaryDescriptor global, Map<String, SummaryDescriptor> models,
		Map<String, ScopesDescriptor> scopes, List<String> unpricedModels,
		List<SystemPromptDescriptor> largestSystemPrompts,
		@Nullable HistoryDescriptor history) implements OperationResponseBody {

	static UsageDescriptor of(UsageReport report, List<SystemPromptStats> systemPrompts,
			@Nullable HistoryStatistics history) {
		Map<String, SummaryDescriptor> models = new LinkedHashMap<>();
		report.models().forEach((model, summary) -> models.put(model, SummaryDescriptor.of(summary)));
		Map<String, ScopesDescriptor> scopes = new LinkedHashMap<>();
		report.scopes()
			.forEach(
					(type, scopeReport) -> scopes.put(type,
							new ScopesDescriptor(scopeReport.tracked(), scopeReport.top()
								.stream()
								.map((scope) -> new ScopeDescriptor(scope.id(), SummaryDescriptor.of(scope.usage())))
								.toList())));
		UsageReport.StoreStatus store = report.store();
		return new UsageDescriptor(
				new StoreDescriptor(store.type(), store.fleetWide(), store.degraded(), store.pendingWrites(),
						store.failedWrites(), store.unknownWrites(), store.lastError()),
				SummaryDescriptor.of(report.global()), models, scopes, report.unpricedModels(),
				systemPrompts.stream()
					.map((prompt) -> new SystemPromptDescriptor(prompt.hash(), prompt.firstWords(), prompt.tokens(),
							prompt.calls()))
					.toList(),
				(history != null) ? HistoryDescriptor.of(history, report) : null);
	}

	/**
	 * What history trimming did in this instance since start, and what the summaries
	 * cost: their calls are on the ledger lines {@code summary:<model>}, summed here.
	 *
	 * @param trimmedCalls calls whose history was trimmed
	 * @param trimmedMessages messages left out of prompts, summed over calls
	 * @param trimmedTokens tokens of those messages
	 * @param summaryTokensSent tokens of the summary messages sent in their place
	 * @param savedTokens prompt tokens trimming saved: trimmed less summaries sent
	 * @param cuts times a conversation's history was cut anew (its prompt start changed)
	 * @param summaries summaries made
	 * @param summaryFailures summaries that failed
	 * @param summaryTimeouts summaries given up after the timeout
	 * @param summaryCalls summary calls on the ledger
	 * @param summaryTotalTokens prompt plus completion tokens the summary calls spent
	 * @param summaryCost USD the summary calls cost
	 */
	public record HistoryDescriptor(long trimmedCalls, long trimmedMessages, long trimmedTokens, long summaryTokensSent,
			long savedTokens, long cuts, long summaries, long summaryFailures, long summaryTimeouts, long summaryCalls,
			long summaryTotalTokens, BigDecimal summaryCost) {

		static HistoryDescriptor of(HistoryStatistics statistics, UsageReport report) {
			long calls = 0;
			long tokens = 0;
			BigDecimal cost = BigDecimal.ZERO;
			String prefix = UsagePurpose.SUMMARY.ledgerKey("");
			for (Map.Entry<String, UsageSummary> line : report.models().entrySet()) {
				if (line.getKey().startsWith(prefix)) {
					UsageTotals total = line.getValue().total();
					calls += total.calls();
					tokens += total.totalTokens();
					cost = cost.add(total.cost());
				}
			}
			return new HistoryDescriptor(statistics.trimmedCalls(), statistics.trimmedMessages(),
					statistics.trimmedTokens(), statistics.summaryTokensSent(), statistics.savedTokens(),
					statistics.cutsMoved(), statistics.summaries(), statistics.summaryFailures(),
					statistics.summaryTimeouts(), calls, tokens, cost);
		}

	}

	/**
	 * Where the figures come from and how the store is doing.
	 *
	 * @param type {@code memory} or {@code redis}
	 * @param fleetWide whether the figures cover every instance sharing the store
	 * @param degraded whether the store's last round trip failed
	 * @param pendingWrites calls waiting to be written to the shared store
	 * @param failedWrites calls certainly not written to the shared store
	 * @param unknownWrites calls sent to the shared store without an answer
	 * @param lastError the last store error, if any
	 */
	public record StoreDescriptor(String type, boolean fleetWide, boolean degraded, long pendingWrites,
			long failedWrites, long unknownWrites, @Nullable String lastError) {
	}

	/**
	 * Usage since tracking began and over the last minute, hour and day.
	 *
	 * @param total since tracking began (memory) or within the retention (Redis)
	 * @param lastMinute the last minute
	 * @param lastHour the last hour
	 * @param lastDay the last 24 hours
	 */
	public record SummaryDescriptor(TotalsDescriptor total, TotalsDescriptor lastMinute, TotalsDescriptor lastHour,
			TotalsDescriptor lastDay) implements OperationResponseBody {

		static SummaryDescriptor of(UsageSummary summary) {
			return new SummaryDescriptor(TotalsDescriptor.of(summary.total()),
					TotalsDescriptor.of(summary.lastMinute()), TotalsDescriptor.of(summary.lastHour()),
					TotalsDescriptor.of(summary.lastDay()));
		}

	}

	/**
	 * Summed usage of many calls.
	 *
	 * @param calls calls recorded
	 * @param failedCalls calls that failed, were cancelled or were rejected
	 * @param promptTokens prompt tokens, cached included
	 * @param cachedPromptTokens cached prompt tokens
	 * @param completionTokens completion tokens, reasoning included
	 * @param reasoningTokens reasoning tokens
	 * @param totalTokens prompt plus completion tokens
	 * @param cost cost in USD of the priced calls
	 * @param unpricedCalls calls of models without a price, whose cost is missing
	 * @param cacheHits calls a cache answered, spending nothing
	 * @param savedTokens tokens the cache hits did not spend
	 * @param savedCost USD the cache hits did not spend
	 * @param cachedPromptShare the share of prompt tokens served from the provider's
	 * prompt cache (cached over prompt tokens), 0 without prompt tokens
	 * @param promptParts where the prompt tokens went, part by part
	 */
	public record TotalsDescriptor(long calls, long failedCalls, long promptTokens, long cachedPromptTokens,
			long completionTokens, long reasoningTokens, long totalTokens, BigDecimal cost, long unpricedCalls,
			long cacheHits, long savedTokens, BigDecimal savedCost, double cachedPromptShare,
			PromptPartsDescriptor promptParts) {

		static TotalsDescriptor of(UsageTotals totals) {
			return new TotalsDescriptor(totals.calls(), totals.failedCalls(), totals.promptTokens(),
					totals.cachedPromptTokens(), totals.completionTokens(), totals.reasoningTokens(),
					totals.totalTokens(), totals.cost(), totals.unpricedCalls(), totals.cacheHits(),
					totals.savedTokens(), totals.savedCost(), round(totals.cachedPromptShare()),
					PromptPartsDescriptor.of(totals.promptParts()));
		}

	}

	/**
	 * Where the prompt tokens of the calls with a breakdown went. The tokens of each part
	 * follow the provider's figures (the local count's parts scaled to the provider's
	 * prompt total) or, when the provider reported none, the local count; the shares are
	 * of the parts' sum.
	 *
	 * @param system system messages
	 * @param history earlier turns: user and assistant messages before the last user
	 * message
	 * @param user the new (last) user message and the reply priming
	 * @param toolDefinitions tool definitions
	 * @param toolResults tool response messages
	 */
	public record PromptPartsDescriptor(PartDescriptor system, PartDescriptor history, PartDescriptor user,
			PartDescriptor toolDefinitions, PartDescriptor toolResults) {

		static PromptPartsDescriptor of(PromptParts parts) {
			long total = parts.total();
			return new PromptPartsDescriptor(PartDescriptor.of(parts.system(), total),
					PartDescriptor.of(parts.history(), total), PartDescriptor.of(parts.user(), total),
					PartDescriptor.of(parts.toolDefinitions(), total), PartDescriptor.of(parts.toolResults(), total));
		}

	}

	/**
	 * One part of the prompts.
	 *
	 * @param tokens the part's tokens
	 * @param share its share of the parts' sum, 0 to 1 (rounded to 4 places)
	 */
	public record PartDescriptor(long tokens, double share) {

		static PartDescriptor of(long tokens, long total) {
			return new PartDescriptor(tokens, (total > 0) ? round((double) tokens / total) : 0);
		}

	}

	/**
	 * One of the largest system prompts. Never its text.
	 *
	 * @param hash the first 16 hex digits of the SHA-256 of its text
	 * @param firstWords its first few words
	 * @param tokens its tokens
	 * @param calls calls that sent it since it was first seen on this instance
	 */
	public record SystemPromptDescriptor(String hash, String firstWords, long tokens, long calls) {
	}

	private static double round(double share) {
		return Math.round(share * 10_000) / 10_000.0;
	}

	/**
	 * The scopes of one type.
	 *
	 * @param tracked how many are tracked
	 * @param top the most expensive, equal costs by id
	 */
	public record ScopesDescriptor(long tracked, List<ScopeDescriptor> top) {
	}

	/**
	 * One scope's usage.
	 *
	 * @param id the scope id
	 * @param usage its usage
	 */
	public record ScopeDescriptor(String id, SummaryDescriptor usage) {
	}

}
