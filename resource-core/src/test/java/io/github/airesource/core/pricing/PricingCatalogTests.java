package io.github.airesource.core.pricing;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class PricingCatalogTests {

	private final PricingCatalog catalog = PricingCatalog.withDefaults();

	@ParameterizedTest
	@CsvSource({ "gpt-4o-2024-08-06, gpt-4o", "gpt-4o-mini-2024-07-18, gpt-4o-mini", "gpt-4-0613, gpt-4",
			"gpt-3.5-turbo-0125, gpt-3.5-turbo", "o3-mini-2025-01-31, o3-mini", "GPT-4o, gpt-4o",
			"openai/gpt-4.1-mini, gpt-4.1-mini" })
	void whenDatedOrDecoratedNameThenResolvesToFamily(String model, String family) {
		assertThat(this.catalog.priceOf(model)).contains(this.catalog.prices().get(family));
	}

	@ParameterizedTest
	@CsvSource({ "gpt-4o-audio-preview", "ft:gpt-4o-mini-2024-07-18:acme::x1", "claude-3-5-sonnet", "llama3" })
	void whenUnknownVariantThenNoPriceIsGuessed(String model) {
		assertThat(this.catalog.priceOf(model)).isEmpty();
	}

	@Test
	void whenPricedThenCostSplitsCachedAndUncachedInput() {
		// gpt-4o: 2.50 input, 1.25 cached input, 10.00 output per 1M tokens
		BigDecimal cost = this.catalog.cost("gpt-4o-2024-08-06", 1000, 400, 200);

		// 600 * 2.50 + 400 * 1.25 + 200 * 10.00 = 1500 + 500 + 2000 = 4000 per 1M
		assertThat(cost).isEqualByComparingTo("0.004");
	}

	@Test
	void whenNoCachedPriceThenCachedTokensCostTheInputPrice() {
		assertThat(this.catalog.cost("gpt-4", 1000, 1000, 0)).isEqualByComparingTo("0.03");
	}

	@Test
	void whenOverriddenThenOverrideWinsAndOthersStay() {
		PricingCatalog custom = PricingCatalog.builder()
			.price("gpt-4o", ModelPrice.of("5", null, "20"))
			.price("my-local-llama", ModelPrice.of("0", null, "0"))
			.build();

		assertThat(custom.cost("gpt-4o-2024-11-20", 1_000_000, 0, 1_000_000)).isEqualByComparingTo("25");
		assertThat(custom.cost("my-local-llama", 500, 0, 500)).isEqualByComparingTo("0");
		assertThat(custom.priceOf("gpt-4o-mini")).isPresent();
	}

	@Test
	void whenUnpricedThenCostIsUnknownAndWarnedOnce(CapturedOutput output) {
		assertThat(this.catalog.cost("mystery-model-7b", 10, 0, 5)).isNull();
		assertThat(this.catalog.cost("mystery-model-7b", 10, 0, 5)).isNull();

		assertThat(output.getOut().split("No price for model 'mystery-model-7b'", -1)).hasSize(2);
	}

	@Test
	void whenNoTokensThenCostIsZeroEvenWithoutPrice() {
		assertThat(this.catalog.cost("mystery-model-7b", 0, 0, 0)).isEqualByComparingTo("0");
	}

}
