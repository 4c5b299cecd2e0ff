package io.github.airesource.core.usage.ledger;

import java.util.Optional;

import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.UsageListener;

/**
 * Keeps usage totals and rolling windows per model and per scope, and reports them.
 * Implementations are fed as {@link UsageListener}s.
 */
public interface UsageLedger extends UsageListener {

	/**
	 * Report usage: global, per model, the top scopes by cost, and unpriced models.
	 * @param topScopes how many scopes of each type to list
	 * @return the report
	 */
	UsageReport report(int topScopes);

	/**
	 * Return the usage of one tenant or user.
	 * @param type the scope type ({@code tenant} or {@code user})
	 * @param id the scope id
	 * @return the usage, empty if the scope is not tracked
	 */
	Optional<UsageSummary> scope(ScopeType type, String id);

}
