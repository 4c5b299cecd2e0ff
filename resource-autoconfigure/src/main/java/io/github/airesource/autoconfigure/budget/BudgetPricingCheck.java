package io.github.airesource.autoconfigure.budget;

import java.util.List;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.pricing.PricingCatalog;

import org.springframework.lang.Nullable;

/**
 * Startup checks of cost limits against the prices: a cost limit can only be kept for a
 * model with a price, so a fallback model, or the chat model's default model, that a cost
 * limit covers must have one. Calls that name an unpriced model at run time are refused
 * with the same advice.
 */
final class BudgetPricingCheck {

	private BudgetPricingCheck() {
	}

	static void check(List<BudgetLimit> limits, PricingCatalog pricing, @Nullable String defaultModel) {
		for (BudgetLimit limit : limits) {
			String fallback = limit.fallbackModel();
			if (fallback != null && pricing.priceOf(fallback).isEmpty()
					&& limits.stream().anyMatch((other) -> other.capsCost() && other.appliesTo(fallback))) {
				throw new InvalidResourcePropertyException(
						BudgetProperties.PREFIX + ".limits." + limit.name() + ".fallback-model", fallback,
						"a cost limit covers the fallback model, but it has no price",
						"Add its price under " + PricingCatalog.priceProperty(fallback)
								+ " (input and output, USD per 1M tokens), or fall back to a priced model.");
			}
			if (defaultModel != null && limit.capsCost() && limit.appliesTo(defaultModel)
					&& pricing.priceOf(defaultModel).isEmpty()) {
				throw new InvalidResourcePropertyException(
						BudgetProperties.PREFIX + ".limits." + limit.name() + ".max-cost", limit.amount().maxCost(),
						"the limit covers the chat model's default model '" + defaultModel + "', which has no price",
						"Add its price under " + PricingCatalog.priceProperty(defaultModel)
								+ " (input and output, USD per 1M tokens), or list the models the limit covers under "
								+ BudgetProperties.PREFIX + ".limits." + limit.name() + ".models.");
			}
		}
	}

}
