package io.github.airesource.core.usage.ledger;

/**
 * Usage since tracking began and over rolling windows ending now.
 *
 * @param total since the ledger started (memory) or within the retention (Redis)
 * @param lastMinute the last minute
 * @param lastHour the last hour
 * @param lastDay the last 24 hours
 */
public record UsageSummary(UsageTotals total, UsageTotals lastMinute, UsageTotals lastHour, UsageTotals lastDay) {

	/** A summary of no calls. */
	public static final UsageSummary EMPTY = new UsageSummary(UsageTotals.EMPTY, UsageTotals.EMPTY, UsageTotals.EMPTY,
			UsageTotals.EMPTY);

}
