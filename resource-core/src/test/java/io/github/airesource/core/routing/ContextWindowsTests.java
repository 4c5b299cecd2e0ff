package io.github.airesource.core.routing;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContextWindowsTests {

	@Test
	void whenAModelIsSpelledAsProvidersDoThenItsFamilyWindowIsFound() {
		ContextWindows windows = ContextWindows.withDefaults();

		assertThat(windows.of("gpt-4o")).hasValue(128_000);
		assertThat(windows.of("openai/GPT-4o-2024-08-06")).hasValue(128_000);
		assertThat(windows.of("gpt-4-0613")).hasValue(8_192);
		assertThat(windows.of("ft:gpt-4o-mini:acme::abc123")).hasValue(128_000);
		assertThat(windows.of("my-local-model")).isEmpty();
	}

	@Test
	void whenConfiguredThenWindowsAreAddedAndOverridden() {
		ContextWindows windows = ContextWindows.withDefaults(Map.of("gpt-4o", 64_000, "my-local-model", 32_000));

		assertThat(windows.of("gpt-4o-2024-08-06")).hasValue(64_000);
		assertThat(windows.of("my-local-model")).hasValue(32_000);
		assertThat(windows.of("gpt-4o-mini")).hasValue(128_000);
	}

}
