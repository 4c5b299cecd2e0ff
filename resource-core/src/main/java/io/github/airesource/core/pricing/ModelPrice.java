package io.github.airesource.core.pricing;

import java.math.BigDecimal;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * What a model costs, in USD per one million tokens.
 *
 * @param input price of uncached prompt tokens
 * @param cachedInput price of prompt tokens served from the provider's prompt cache; the
 * input price when the provider gives no discount
 * @param output price of completion tokens, reasoning tokens included
 */
public record ModelPrice(BigDecimal input, BigDecimal cachedInput, BigDecimal output) {

	private static final int PER_MILLION = 6;

	public ModelPrice {
		Assert.notNull(input, "input price must not be null");
		Assert.notNull(output, "output price must not be null");
		cachedInput = (cachedInput != null) ? cachedInput : input;
		Assert.isTrue(input.signum() >= 0 && cachedInput.signum() >= 0 && output.signum() >= 0,
				"prices must not be negative");
	}

	/**
	 * Create a price from USD per million tokens.
	 * @param input input price
	 * @param cachedInput cached input price, or {@code null} for no discount
	 * @param output output price
	 * @return the price
	 */
	public static ModelPrice of(String input, @Nullable String cachedInput, String output) {
		return new ModelPrice(new BigDecimal(input), (cachedInput != null) ? new BigDecimal(cachedInput) : null,
				new BigDecimal(output));
	}

	/**
	 * Return the cost of one call.
	 * @param promptTokens all prompt tokens, cached ones included
	 * @param cachedPromptTokens the cached part of the prompt tokens
	 * @param completionTokens completion tokens, reasoning included
	 * @return the cost in USD, exact
	 */
	public BigDecimal cost(long promptTokens, long cachedPromptTokens, long completionTokens) {
		long cached = Math.min(Math.max(cachedPromptTokens, 0), promptTokens);
		BigDecimal perMillion = this.input.multiply(BigDecimal.valueOf(promptTokens - cached))
			.add(this.cachedInput.multiply(BigDecimal.valueOf(cached)))
			.add(this.output.multiply(BigDecimal.valueOf(completionTokens)));
		return perMillion.movePointLeft(PER_MILLION);
	}

}
