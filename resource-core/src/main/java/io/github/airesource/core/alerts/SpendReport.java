package io.github.airesource.core.alerts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.ledger.UsageTotals;

/**
 * A summary of the last 24 hours from the usage ledger: calls, tokens, cost by model, the
 * top tenants by cost and what the caches saved. Tenant ids only, never prompt text.
 *
 * @param at when the report was made
 * @param calls calls in the last 24 hours
 * @param tokens prompt plus completion tokens
 * @param cost USD of the priced calls
 * @param models per model: calls, tokens and cost
 * @param topTenants the tenants that cost most
 * @param cacheHits calls the caches answered
 * @param savedTokens tokens the cache hits did not spend
 * @param savedCost USD the cache hits did not spend
 */
public record SpendReport(Instant at, long calls, long tokens, BigDecimal cost, Map<String, Line> models,
		List<Tenant> topTenants, long cacheHits, long savedTokens, BigDecimal savedCost) {

	/**
	 * Make the report of a ledger's last day.
	 * @param report the ledger's report
	 * @param at when
	 * @return the spend report
	 */
	public static SpendReport of(UsageReport report, Instant at) {
		UsageTotals day = report.global().lastDay();
		Map<String, Line> models = new LinkedHashMap<>();
		report.models().forEach((model, summary) -> {
			UsageTotals totals = summary.lastDay();
			if (totals.calls() > 0) {
				models.put(model, new Line(totals.calls(), totals.totalTokens(), totals.cost()));
			}
		});
		List<Tenant> tenants = new ArrayList<>();
		UsageReport.ScopeReport scopes = report.scopes().get("tenant");
		if (scopes != null) {
			for (UsageReport.ScopeUsage scope : scopes.top()) {
				UsageSummary usage = scope.usage();
				tenants.add(new Tenant(scope.id(), usage.lastDay().calls(), usage.lastDay().cost()));
			}
			tenants.sort((a, b) -> b.cost().compareTo(a.cost()));
		}
		return new SpendReport(at, day.calls(), day.totalTokens(), day.cost(), models, tenants, day.cacheHits(),
				day.savedTokens(), day.savedCost());
	}

	/**
	 * Return the report in one line for logs and chat.
	 * @return the summary
	 */
	public String summary() {
		StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
				"last 24h: %d calls, %d tokens, $%.4f; cache saved %d tokens ($%.4f) in %d hits", this.calls,
				this.tokens, this.cost, this.savedTokens, this.savedCost, this.cacheHits));
		this.models.forEach((model, line) -> text
			.append(String.format(Locale.ROOT, "; %s: %d calls, $%.4f", model, line.calls(), line.cost())));
		if (!this.topTenants.isEmpty()) {
			text.append("; top tenants:");
			for (Tenant tenant : this.topTenants) {
				text.append(String.format(Locale.ROOT, " %s $%.4f", tenant.id(), tenant.cost()));
			}
		}
		return text.toString();
	}

	/**
	 * One model's line.
	 *
	 * @param calls calls
	 * @param tokens prompt plus completion tokens
	 * @param cost USD
	 */
	public record Line(long calls, long tokens, BigDecimal cost) {
	}

	/**
	 * One tenant's spend.
	 *
	 * @param id the tenant id
	 * @param calls calls
	 * @param cost USD
	 */
	public record Tenant(String id, long calls, BigDecimal cost) {
	}

}
