package io.github.airesource.autoconfigure.ratelimit;

import java.util.List;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.ratelimit.RateLimit;

import org.springframework.lang.Nullable;

/**
 * Startup check of cost limits against the prices, as for budgets: a cost limit can only
 * be kept for a model with a price, so the chat model's default model must have one when
 * a cost limit covers it. Calls that name an unpriced model at run time are refused with
 * the same advice.
 */
final class RateLimitPricingCheck {

	private RateLimitPricingCheck() {
	}

	static void check(List<RateLimit> limits, PricingCatalog pricing, @Nullable String defaultModel) {
		if (defaultModel == null) {
			return;
		}
		for (RateLimit limit : limits) {
			if (limit.costNanos() != null && limit.appliesTo(defaultModel) && pricing.priceOf(defaultModel).isEmpty()) {
				String property = RateLimitProperties.PREFIX + ".limits." + limit.name();
				throw new InvalidResourcePropertyException(property + ".cost",
						BudgetMoney.toUsd(limit.costNanos()).stripTrailingZeros().toPlainString(),
						"the limit covers the chat model's default model '" + defaultModel + "', which has no price",
						"Add its price under " + PricingCatalog.priceProperty(defaultModel)
								+ " (input and output, USD per 1M tokens), or list the models the limit covers under "
								+ property + ".models.");
			}
		}
	}

}
