package io.github.airesource.core.pricing;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.airesource.core.model.ModelNames;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Prices per model, and the cost of a call.
 *
 * <p>
 * A model name is looked up as given (normalised by {@link ModelNames}:
 * case-insensitively, without a provider prefix such as {@code openai/}); a dated
 * snapshot falls back to its family, so {@code gpt-4o-2024-08-06} and {@code gpt-4-0613}
 * are priced as {@code gpt-4o} and {@code gpt-4}. Nothing else is guessed:
 * {@code gpt-4o-audio-preview} is not priced as {@code gpt-4o}. A model without a price
 * has an unknown cost ({@code null}), never 0; the first call of each such model logs a
 * warning. A call that used no tokens costs 0 whatever its model.
 */
public final class PricingCatalog {

	private static final Log logger = LogFactory.getLog(PricingCatalog.class);

	private final Map<String, ModelPrice> prices;

	private final Cache<String, Optional<ModelPrice>> resolved = Caffeine.newBuilder()
		.maximumSize(1024)
		.executor(Runnable::run)
		.build();

	private final Cache<String, Boolean> warned = Caffeine.newBuilder().maximumSize(1024).build();

	private PricingCatalog(Map<String, ModelPrice> prices) {
		this.prices = Collections.unmodifiableMap(prices);
	}

	/**
	 * Create a catalog with the built-in OpenAI prices.
	 * @return the catalog
	 */
	public static PricingCatalog withDefaults() {
		return builder().build();
	}

	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the price of a model.
	 * @param model the model name as the provider reports it
	 * @return the price, empty when the model has none
	 */
	public Optional<ModelPrice> priceOf(@Nullable String model) {
		if (model == null || model.isBlank()) {
			return Optional.empty();
		}
		return this.resolved.get(model, this::resolve);
	}

	/**
	 * Return the cost of one call, or {@code null} when it used tokens of a model that
	 * has no price.
	 * @param model the model that served the call
	 * @param promptTokens all prompt tokens, cached included
	 * @param cachedPromptTokens the cached part of the prompt tokens
	 * @param completionTokens completion tokens, reasoning included
	 * @return the cost in USD, or {@code null} if unknown
	 */
	@Nullable
	public BigDecimal cost(@Nullable String model, long promptTokens, long cachedPromptTokens, long completionTokens) {
		if (promptTokens == 0 && completionTokens == 0) {
			return BigDecimal.ZERO;
		}
		Optional<ModelPrice> price = priceOf(model);
		if (price.isPresent()) {
			return price.get().cost(promptTokens, cachedPromptTokens, completionTokens);
		}
		String name = (model != null && !model.isBlank()) ? model : "unknown";
		if (this.warned.asMap().putIfAbsent(name, Boolean.TRUE) == null) {
			logger.warn("No price for model '" + name + "': its cost is reported as unknown. Add it under "
					+ "ai.resource.pricing.models (USD per 1M tokens: input, cached-input, output).");
		}
		return null;
	}

	/**
	 * Return the property that sets a model's price, bracketed when the name holds
	 * characters (dots, colons) that would otherwise split the key in YAML.
	 * @param model the model name
	 * @return the property, such as {@code ai.resource.pricing.models[llama3.1:8b]}
	 */
	public static String priceProperty(String model) {
		boolean plain = model.chars().allMatch((c) -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
		return "ai.resource.pricing.models" + (plain ? "." + model : "[" + model + "]");
	}

	/**
	 * Return every configured price by model name.
	 * @return an unmodifiable map
	 */
	public Map<String, ModelPrice> prices() {
		return this.prices;
	}

	private Optional<ModelPrice> resolve(String model) {
		String name = ModelNames.normalize(model);
		ModelPrice exact = this.prices.get(name);
		if (exact != null) {
			return Optional.of(exact);
		}
		return Optional.ofNullable(this.prices.get(ModelNames.family(name)));
	}

	/**
	 * Builder for {@link PricingCatalog}.
	 */
	public static final class Builder {

		private final Map<String, ModelPrice> prices = new LinkedHashMap<>(BuiltInPrices.openAi());

		private Builder() {
		}

		/**
		 * Remove the built-in prices.
		 * @return this builder
		 */
		public Builder withoutDefaults() {
			this.prices.clear();
			return this;
		}

		/**
		 * Add or replace the price of a model.
		 * @param model the model name
		 * @param price the price
		 * @return this builder
		 */
		public Builder price(String model, ModelPrice price) {
			Assert.hasText(model, "model must not be empty");
			Assert.notNull(price, "price must not be null");
			this.prices.put(ModelNames.normalize(model), price);
			return this;
		}

		public PricingCatalog build() {
			return new PricingCatalog(new LinkedHashMap<>(this.prices));
		}

	}

}
