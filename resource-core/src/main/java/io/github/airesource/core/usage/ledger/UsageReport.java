package io.github.airesource.core.usage.ledger;

import java.util.List;
import java.util.Map;

import org.springframework.lang.Nullable;

/**
 * A ledger's report. Holds ids of scopes and names of models only, never prompt or
 * response text.
 *
 * @param store where the figures come from
 * @param global usage of all calls
 * @param models usage per model, by model name
 * @param scopes per scope type ({@code tenant}, {@code user}): tracked count and the top
 * scopes by cost
 * @param unpricedModels models that were used but have no price
 */
public record UsageReport(StoreStatus store, UsageSummary global, Map<String, UsageSummary> models,
		Map<String, ScopeReport> scopes, List<String> unpricedModels) {

	/**
	 * The scopes of one type.
	 *
	 * @param tracked how many scopes of the type are tracked
	 * @param top the scopes with the highest cost; equal costs are listed by id
	 */
	public record ScopeReport(long tracked, List<ScopeUsage> top) {
	}

	/**
	 * One scope's usage.
	 *
	 * @param id the scope id
	 * @param usage its usage
	 */
	public record ScopeUsage(String id, UsageSummary usage) {
	}

	/**
	 * Where a report's figures come from and how the store is doing.
	 *
	 * @param type {@code memory} or {@code redis}
	 * @param fleetWide whether the figures cover every instance sharing the store
	 * @param degraded whether the store's last round trip failed; when the figures are
	 * not fleet-wide they are this instance's only
	 * @param pendingWrites calls recorded here that wait to be written to the shared
	 * store
	 * @param failedWrites calls that were certainly not written to the shared store; they
	 * are in this instance's figures only
	 * @param unknownWrites calls sent to the shared store without an answer until they
	 * were given up; they may or may not be in its figures
	 * @param lastError the last store error, or {@code null}
	 */
	public record StoreStatus(String type, boolean fleetWide, boolean degraded, long pendingWrites, long failedWrites,
			long unknownWrites, @Nullable String lastError) {

		/** The status of an in-memory ledger. */
		public static final StoreStatus MEMORY = new StoreStatus("memory", false, false, 0, 0, 0, null);

	}

}
