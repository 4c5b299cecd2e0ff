package io.github.airesource.core.pricing;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.airesource.core.budget.BudgetMoney;

/**
 * Prices reservations in whole nano-dollars. A price in USD per million tokens with at
 * most three decimals is a whole number of nano-dollars per token ($2.50 is 2,500), so
 * most reservations cost two multiplications instead of several {@link BigDecimal}s on
 * every call; other prices take the exact {@link BigDecimal} path. Rates are kept per
 * model name in a small bounded cache. Shared by the budget and rate-limit advisors,
 * which both charge a call its prompt plus output reservation up front.
 */
public final class ReservationPrices {

	/** What {@link #costNanos} answers for a model without a price. */
	public static final long UNPRICED = -1;

	private static final int MAX_REMEMBERED_MODELS = 256;

	private final PricingCatalog pricing;

	/**
	 * Rates of the model names seen, up to {@value #MAX_REMEMBERED_MODELS}: a plain
	 * concurrent map rather than a Caffeine cache, because it is read on every call from
	 * every thread, where a cache's per-read bookkeeping costs more than the lookup, and
	 * it never needs to evict (names past the bound are priced without being remembered).
	 */
	private final Map<String, Optional<Rates>> rates = new ConcurrentHashMap<>();

	/**
	 * Create prices backed by a catalog.
	 * @param pricing the catalog
	 */
	public ReservationPrices(PricingCatalog pricing) {
		this.pricing = pricing;
	}

	/**
	 * Return what a reservation costs: uncached prompt tokens at the input price, output
	 * tokens at the output price, rounded up to a whole nano-dollar.
	 * @param model the model
	 * @param promptTokens the prompt's tokens
	 * @param outputTokens the most output tokens
	 * @return nano-dollars, or {@code -1} when the model has no price
	 */
	public long costNanos(String model, long promptTokens, long outputTokens) {
		if (promptTokens == 0 && outputTokens == 0) {
			return 0;
		}
		Optional<Rates> found = this.rates.get(model);
		if (found == null) {
			found = this.pricing.priceOf(model).map(Rates::of);
			if (this.rates.size() < MAX_REMEMBERED_MODELS) {
				this.rates.put(model, found);
			}
		}
		if (found.isEmpty()) {
			return UNPRICED;
		}
		Rates rates = found.get();
		if (rates.exact()) {
			return Math.addExact(Math.multiplyExact(promptTokens, rates.inputNanos()),
					Math.multiplyExact(outputTokens, rates.outputNanos()));
		}
		return BudgetMoney.toNanosCeiling(rates.price().cost(promptTokens, 0, outputTokens));
	}

	/**
	 * A model's prices in nano-dollars per token, when whole.
	 */
	private record Rates(ModelPrice price, long inputNanos, long outputNanos, boolean exact) {

		static Rates of(ModelPrice price) {
			Long input = wholeNanosPerToken(price.input());
			Long output = wholeNanosPerToken(price.output());
			boolean exact = input != null && output != null;
			return new Rates(price, exact ? input : 0, exact ? output : 0, exact);
		}

		private static Long wholeNanosPerToken(BigDecimal usdPerMillion) {
			BigDecimal nanos = usdPerMillion.movePointRight(3).stripTrailingZeros();
			return (nanos.scale() <= 0) ? nanos.longValueExact() : null;
		}

	}

}
