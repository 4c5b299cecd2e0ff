package io.github.airesource.core.pricing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI's published standard-tier prices (USD per one million tokens) for current
 * models. Providers change prices; applications override or extend these under
 * {@code ai.resource.pricing.models}.
 */
final class BuiltInPrices {

	private BuiltInPrices() {
	}

	static Map<String, ModelPrice> openAi() {
		Map<String, ModelPrice> prices = new LinkedHashMap<>();
		prices.put("gpt-5.1", ModelPrice.of("1.25", "0.125", "10.00"));
		prices.put("gpt-5", ModelPrice.of("1.25", "0.125", "10.00"));
		prices.put("gpt-5-chat-latest", ModelPrice.of("1.25", "0.125", "10.00"));
		prices.put("gpt-5-mini", ModelPrice.of("0.25", "0.025", "2.00"));
		prices.put("gpt-5-nano", ModelPrice.of("0.05", "0.005", "0.40"));
		prices.put("gpt-5-pro", ModelPrice.of("15.00", null, "120.00"));
		prices.put("gpt-4.1", ModelPrice.of("2.00", "0.50", "8.00"));
		prices.put("gpt-4.1-mini", ModelPrice.of("0.40", "0.10", "1.60"));
		prices.put("gpt-4.1-nano", ModelPrice.of("0.10", "0.025", "0.40"));
		prices.put("gpt-4o", ModelPrice.of("2.50", "1.25", "10.00"));
		prices.put("gpt-4o-mini", ModelPrice.of("0.15", "0.075", "0.60"));
		prices.put("chatgpt-4o-latest", ModelPrice.of("5.00", null, "15.00"));
		prices.put("o1", ModelPrice.of("15.00", "7.50", "60.00"));
		prices.put("o1-preview", ModelPrice.of("15.00", "7.50", "60.00"));
		prices.put("o1-mini", ModelPrice.of("1.10", "0.55", "4.40"));
		prices.put("o1-pro", ModelPrice.of("150.00", null, "600.00"));
		prices.put("o3", ModelPrice.of("2.00", "0.50", "8.00"));
		prices.put("o3-mini", ModelPrice.of("1.10", "0.55", "4.40"));
		prices.put("o3-pro", ModelPrice.of("20.00", null, "80.00"));
		prices.put("o4-mini", ModelPrice.of("1.10", "0.275", "4.40"));
		prices.put("gpt-4-turbo", ModelPrice.of("10.00", null, "30.00"));
		prices.put("gpt-4", ModelPrice.of("30.00", null, "60.00"));
		prices.put("gpt-3.5-turbo", ModelPrice.of("0.50", null, "1.50"));
		prices.put("text-embedding-3-small", ModelPrice.of("0.02", null, "0"));
		prices.put("text-embedding-3-large", ModelPrice.of("0.13", null, "0"));
		prices.put("text-embedding-ada-002", ModelPrice.of("0.10", null, "0"));
		return prices;
	}

}
