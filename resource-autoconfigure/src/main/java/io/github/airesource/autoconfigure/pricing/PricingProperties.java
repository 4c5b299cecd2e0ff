package io.github.airesource.autoconfigure.pricing;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.pricing.ModelPrice;
import io.github.airesource.core.pricing.PricingCatalog;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Model prices in USD per one million tokens. Built-in prices for current OpenAI models
 * are always present; entries here override or extend them. Model names with dots must be
 * bracketed in YAML so they stay one key: {@code "[gpt-4.1]": { input: 2.00, output: 8.00
 * }}.
 */
@ConfigurationProperties(PricingProperties.PREFIX)
public class PricingProperties implements InitializingBean {

	/** The prefix of the pricing properties. */
	public static final String PREFIX = "ai.resource.pricing";

	/**
	 * Prices by model name, in USD per one million tokens.
	 */
	private Map<String, Price> models = new LinkedHashMap<>();

	public Map<String, Price> getModels() {
		return this.models;
	}

	public void setModels(Map<String, Price> models) {
		this.models = models;
	}

	@Override
	public void afterPropertiesSet() {
		this.models.forEach((model, price) -> {
			String property = PREFIX + ".models[" + model + "]";
			require(property + ".input", price.getInput());
			require(property + ".output", price.getOutput());
			notNegative(property + ".cached-input", price.getCachedInput());
		});
	}

	/**
	 * Build the catalog: the built-in prices with these entries on top.
	 * @return the catalog
	 */
	public PricingCatalog toCatalog() {
		PricingCatalog.Builder builder = PricingCatalog.builder();
		this.models.forEach((model, price) -> builder.price(model,
				new ModelPrice(price.getInput(), price.getCachedInput(), price.getOutput())));
		return builder.build();
	}

	private static void require(String property, BigDecimal value) {
		if (value == null) {
			throw new InvalidResourcePropertyException(property, null, "a price needs an input and an output price",
					"Set " + property + " to the model's price in USD per one million tokens, for example 2.50.");
		}
		notNegative(property, value);
	}

	private static void notNegative(String property, BigDecimal value) {
		if (value != null && value.signum() < 0) {
			throw new InvalidResourcePropertyException(property, value, "prices cannot be negative",
					"Set " + property + " to the price in USD per one million tokens (0 for a free model).");
		}
	}

	/**
	 * A model's price.
	 */
	public static class Price {

		/**
		 * USD per one million uncached prompt tokens.
		 */
		private BigDecimal input;

		/**
		 * USD per one million prompt tokens served from the provider's prompt cache; the
		 * input price when not set.
		 */
		private BigDecimal cachedInput;

		/**
		 * USD per one million completion tokens, reasoning tokens included.
		 */
		private BigDecimal output;

		public BigDecimal getInput() {
			return this.input;
		}

		public void setInput(BigDecimal input) {
			this.input = input;
		}

		public BigDecimal getCachedInput() {
			return this.cachedInput;
		}

		public void setCachedInput(BigDecimal cachedInput) {
			this.cachedInput = cachedInput;
		}

		public BigDecimal getOutput() {
			return this.output;
		}

		public void setOutput(BigDecimal output) {
			this.output = output;
		}

	}

}
