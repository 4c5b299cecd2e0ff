package io.github.airesource.actuate.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.lang.Nullable;

/**
 * The {@code aibudgets} endpoint's report: every limit with its global state or its most
 * used keys.
 *
 * @param limits the limits in configuration order
 */
public record BudgetsDescriptor(List<LimitDescriptor> limits) implements OperationResponseBody {

	/**
	 * One limit.
	 *
	 * @param name the name
	 * @param scope global, tenant, user or conversation
	 * @param period the window length
	 * @param maxTokens the default token allowance per key, or {@code null}
	 * @param maxCost the default USD allowance per key, or {@code null}
	 * @param models the model families covered; empty for all
	 * @param onExhausted reject or fallback_model
	 * @param fallbackModel the fallback model, or {@code null}
	 * @param fallbackAt the fraction from which calls go to the fallback model
	 * @param overrides how many keys have their own allowance in the configuration
	 * @param keys the global key, or the most used keys of the current window
	 * @param error why the keys could not be read (the store failed), else {@code null}
	 */
	public record LimitDescriptor(String name, String scope, Duration period, @Nullable Long maxTokens,
			@Nullable BigDecimal maxCost, List<String> models, String onExhausted, @Nullable String fallbackModel,
			double fallbackAt, int overrides, List<BudgetKeyDescriptor> keys, @Nullable String error) {
	}

}
