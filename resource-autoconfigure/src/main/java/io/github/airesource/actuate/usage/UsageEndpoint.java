package io.github.airesource.actuate.usage;

import java.util.List;

import io.github.airesource.core.history.HistoryStatistics;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.SystemPrompts;
import io.github.airesource.core.usage.ledger.UsageLedger;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.lang.Nullable;

/**
 * The {@code aiusage} endpoint: tokens and cost in total and over the last minute, hour
 * and day, by model and for the top tenants and users by cost, and the models used
 * without a price; per model and scope, the share of prompt tokens served from the
 * provider's prompt cache and where the prompt tokens went (system prompt, history, new
 * user message, tool definitions, tool results); the largest system prompts by tokens, by
 * hash and first words; and what history trimming saved and its summaries cost.
 * {@code /actuator/aiusage/user/alice} shows one scope. Shows ids and model names only,
 * never prompt text, responses or keys.
 */
@Endpoint(id = "aiusage")
public class UsageEndpoint {

	/** How many scopes of each type the report lists unless asked for another number. */
	public static final int DEFAULT_TOP = 10;

	private static final int MAX_TOP = 1000;

	/** How many of the largest system prompts the report lists. */
	public static final int SYSTEM_PROMPTS = 10;

	private final UsageLedger ledger;

	@Nullable
	private final SystemPrompts systemPrompts;

	@Nullable
	private final HistoryStatistics history;

	public UsageEndpoint(UsageLedger ledger) {
		this(ledger, null, null);
	}

	/**
	 * Create an endpoint that also lists the largest system prompts and what history
	 * trimming did.
	 * @param ledger the ledger
	 * @param systemPrompts the system prompts tracker, may be {@code null}
	 * @param history what history trimming did, {@code null} when it is off
	 */
	public UsageEndpoint(UsageLedger ledger, @Nullable SystemPrompts systemPrompts,
			@Nullable HistoryStatistics history) {
		this.ledger = ledger;
		this.systemPrompts = systemPrompts;
		this.history = history;
	}

	/**
	 * Report usage.
	 * @param top how many tenants and users to list (default 10, at most 1000)
	 * @return the report
	 */
	@ReadOperation
	public UsageDescriptor usage(@Nullable Integer top) {
		int limit = (top != null) ? Math.max(0, Math.min(top, MAX_TOP)) : DEFAULT_TOP;
		return UsageDescriptor.of(this.ledger.report(limit),
				(this.systemPrompts != null) ? this.systemPrompts.largest(SYSTEM_PROMPTS) : List.of(), this.history);
	}

	/**
	 * Report the usage of one scope.
	 * @param scopeType {@code global}, {@code tenant} or {@code user}
	 * @param id the scope id ({@code global} for the global scope)
	 * @return the usage, or {@code null} (404) if the scope is unknown or not tracked
	 */
	@ReadOperation
	@Nullable
	public UsageDescriptor.SummaryDescriptor scope(@Selector String scopeType, @Selector String id) {
		ScopeType type = scopeTypeOf(scopeType);
		if (type == null || type == ScopeType.CONVERSATION) {
			return null;
		}
		return this.ledger.scope(type, id).map(UsageDescriptor.SummaryDescriptor::of).orElse(null);
	}

	@Nullable
	private static ScopeType scopeTypeOf(String value) {
		for (ScopeType type : ScopeType.values()) {
			if (type.value().equalsIgnoreCase(value)) {
				return type;
			}
		}
		return null;
	}

}
