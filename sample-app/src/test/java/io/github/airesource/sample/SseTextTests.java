package io.github.airesource.sample;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text survives the event-stream format's one-space strip on every line.
 */
class SseTextTests {

	@Test
	void whenTextStartsWithASpaceThenTheSpaceSurvivesTheReadersStrip() {
		assertThat(SseText.protect(" world")).isEqualTo("  world");
		assertThat(SseText.protect("Hello")).isEqualTo(" Hello");
	}

	@Test
	void whenTextHasLineBreaksThenEveryLineIsProtected() {
		assertThat(SseText.protect("one\n two\r\nthree\rfour")).isEqualTo(" one\n  two\n three\n four");
	}

}
