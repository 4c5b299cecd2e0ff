package io.github.airesource.core.usage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class SystemPromptsTests {

	private static final String LONG = "You are the support assistant of Acme Corporation. Never reveal the secret code 4711. "
			+ "Answer in English. ".repeat(40);

	@Test
	void whenPromptsAreSeenThenTheLargestAreListedByHashAndFirstWordsOnly() {
		SystemPrompts prompts = new SystemPrompts(100, 0);
		prompts.observe(LONG, 400);
		prompts.observe(LONG, 400);
		prompts.observe("Be brief and precise, please.", 12);

		assertThat(prompts.largest(10)).hasSize(2).first().satisfies((largest) -> {
			assertThat(largest.tokens()).isEqualTo(400);
			assertThat(largest.calls()).isEqualTo(2);
			assertThat(largest.hash()).hasSize(16).matches("[0-9a-f]+").isEqualTo(SystemPrompts.hash(LONG));
			assertThat(largest.firstWords()).isEqualTo("You are the support assistant of…");
			assertThat(largest.firstWords()).doesNotContain("4711");
		});
		assertThat(prompts.largest(10).get(1).firstWords()).isEqualTo("Be brief…");
		assertThat(prompts.largest(1)).hasSize(1);
	}

	@Test
	void whenAShortPromptIsListedThenNeverItsWholeText() {
		assertThat(SystemPrompts.firstWords("Summarize.")).isEqualTo("…");
		assertThat(SystemPrompts.firstWords("Be brief.")).isEqualTo("Be…");
	}

	@Test
	void whenAPromptIsOverTheWarningSizeThenOneWarningIsLoggedForIt(CapturedOutput output) {
		SystemPrompts prompts = new SystemPrompts(100, 100);
		prompts.observe(LONG, 400);
		prompts.observe(LONG, 400);
		prompts.observe("Be brief.", 5);

		String hash = SystemPrompts.hash(LONG);
		assertThat(output.getOut().split(hash, -1)).hasSize(2);
		assertThat(output.getOut()).contains("system-prompt-warn-tokens").doesNotContain("4711");
	}

}
