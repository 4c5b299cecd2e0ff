package io.github.airesource.core.usage;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.CallScope;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.util.Assert;

/**
 * Prices a call's token usage and hands the record to every listener (ledgers, metrics,
 * stores). Advisors other than the usage advisor use it too, for calls that never reach
 * the model, such as cache hits and rejections.
 */
public final class UsageRecorder {

	private static final Log logger = LogFactory.getLog(UsageRecorder.class);

	private final PricingCatalog pricing;

	private final List<UsageListener> listeners;

	public UsageRecorder(PricingCatalog pricing, List<? extends UsageListener> listeners) {
		Assert.notNull(pricing, "pricing must not be null");
		Assert.notNull(listeners, "listeners must not be null");
		this.pricing = pricing;
		this.listeners = List.copyOf(listeners);
	}

	/**
	 * Price and record one call.
	 * @param usage the call's token figures
	 * @param latency how long the call took
	 * @param outcome how it ended
	 * @param scope who it was for
	 * @return the record given to the listeners
	 */
	public UsageRecord record(TokenUsage usage, Duration latency, CallOutcome outcome, CallScope scope) {
		return record(usage, latency, outcome, scope, UsagePurpose.CHAT);
	}

	/**
	 * Price and record one call made for a purpose other than the application's chat,
	 * such as an embedding request of the semantic cache or a history summary: the ledger
	 * keeps it on a line of its own ({@link UsagePurpose#ledgerKey(String)}).
	 * @param usage the call's token figures
	 * @param latency how long the call took
	 * @param outcome how it ended
	 * @param scope who it was for
	 * @param purpose why it was made
	 * @return the record given to the listeners
	 */
	public UsageRecord record(TokenUsage usage, Duration latency, CallOutcome outcome, CallScope scope,
			UsagePurpose purpose) {
		BigDecimal cost = this.pricing.cost(usage.model(), usage.promptTokens(), usage.cachedPromptTokens(),
				usage.completionTokens());
		UsageRecord record = new UsageRecord(usage.model(), usage.promptTokens(), usage.cachedPromptTokens(),
				usage.completionTokens(), usage.reasoningTokens(), cost, usage.estimated(), latency, outcome, purpose,
				usage.promptParts());
		for (UsageListener listener : this.listeners) {
			try {
				listener.onUsage(record, scope);
			}
			catch (RuntimeException ex) {
				// Accounting must never fail the call it accounts for.
				logger.warn("Usage listener " + listener + " failed", ex);
			}
		}
		return record;
	}

	/**
	 * Record a call that ended in an advisor outside the usage advisor (refused by a
	 * limit, or cancelled while it waited), so never reached the model: no tokens, no
	 * cost. The usage advisor sits inside such advisors and never sees the call.
	 * @param model the model the call was for
	 * @param outcome how it ended
	 * @param scope who it was for
	 * @return the record given to the listeners
	 */
	public UsageRecord recordUnserved(String model, CallOutcome outcome, CallScope scope) {
		return record(TokenUsage.none(model), Duration.ZERO, outcome, scope);
	}

	/**
	 * Return the catalog used to price calls.
	 * @return the pricing catalog
	 */
	public PricingCatalog pricing() {
		return this.pricing;
	}

}
