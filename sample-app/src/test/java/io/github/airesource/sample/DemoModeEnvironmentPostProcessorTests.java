package io.github.airesource.sample;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link DemoModeEnvironmentPostProcessor} chooses between OpenAI, an
 * OpenAI-compatible server and the demo model. Environment variables are fed in, never
 * read from the machine.
 */
class DemoModeEnvironmentPostProcessorTests {

	private static final String[] MODEL_SELECTORS = { "spring.ai.model.chat", "spring.ai.model.embedding",
			"spring.ai.model.image", "spring.ai.model.audio.speech", "spring.ai.model.audio.transcription",
			"spring.ai.model.moderation" };

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void whenNeitherKeyNorBaseUrlIsSetThenTheDemoModelReplacesEveryOpenAiModel() {
		postProcess(Map.of());

		for (String selector : MODEL_SELECTORS) {
			assertThat(this.environment.getProperty(selector)).as(selector).isEqualTo("none");
		}
		assertThat(this.environment.getProperty("sample.demo-model")).isEqualTo("true");
		assertThat(this.environment.getProperty("spring.ai.openai.api-key")).isNull();
	}

	@Test
	void whenTheKeyIsBlankAsApplicationYamlLeavesItThenTheDemoModelIsUsed() {
		this.environment.setProperty("spring.ai.openai.api-key", "");

		postProcess(Map.of());

		assertThat(this.environment.getProperty("sample.demo-model")).isEqualTo("true");
		assertThat(this.environment.getProperty("spring.ai.model.chat")).isEqualTo("none");
	}

	@Test
	void whenTheKeyVariableIsSetThenNothingChanges() {
		postProcess(Map.of("OPENAI_API_KEY", "sk-test"));

		assertUntouched();
	}

	@Test
	void whenTheKeyPropertyIsSetThenNothingChanges() {
		this.environment.setProperty("spring.ai.openai.api-key", "sk-test");

		postProcess(Map.of());

		assertUntouched();
		assertThat(this.environment.getProperty("spring.ai.openai.api-key")).isEqualTo("sk-test");
	}

	@Test
	void whenOnlyTheBaseUrlVariableIsSetThenItIsUsedWithAPlaceholderKey() {
		this.environment.setProperty("spring.ai.openai.api-key", "");

		postProcess(Map.of("OPENAI_BASE_URL", "http://localhost:11434"));

		assertThat(this.environment.getProperty("spring.ai.openai.base-url")).isEqualTo("http://localhost:11434");
		assertThat(this.environment.getProperty("spring.ai.openai.api-key")).isEqualTo("not-needed");
		assertThat(this.environment.getProperty("spring.ai.model.chat")).isNull();
		assertThat(this.environment.getProperty("sample.demo-model")).isNull();
	}

	@Test
	void whenOnlyTheBaseUrlPropertyIsSetThenItIsKeptWithAPlaceholderKey() {
		this.environment.setProperty("spring.ai.openai.base-url", "http://localhost:8000");

		postProcess(Map.of("OPENAI_BASE_URL", "http://elsewhere:1234"));

		assertThat(this.environment.getProperty("spring.ai.openai.base-url")).isEqualTo("http://localhost:8000");
		assertThat(this.environment.getProperty("spring.ai.openai.api-key")).isEqualTo("not-needed");
		assertThat(this.environment.getProperty("sample.demo-model")).isNull();
	}

	@Test
	void whenKeyAndBaseUrlVariablesAreSetThenTheRealKeyIsKept() {
		postProcess(Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", "https://proxy.example/v1"));

		assertThat(this.environment.getProperty("spring.ai.openai.base-url")).isEqualTo("https://proxy.example/v1");
		assertThat(this.environment.getProperty("spring.ai.openai.api-key")).isNull();
	}

	@Test
	void whenTheModelVariableIsSetThenItNamesTheChatModel() {
		postProcess(Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_MODEL", "gpt-4.1-mini"));

		assertThat(this.environment.getProperty("spring.ai.openai.chat.options.model")).isEqualTo("gpt-4.1-mini");
	}

	@Test
	void whenPropertiesAreSetExplicitlyThenTheyAreKept() {
		this.environment.setProperty("spring.ai.model.embedding", "ollama");
		this.environment.setProperty("spring.ai.openai.chat.options.model", "gpt-4o");

		postProcess(Map.of("OPENAI_MODEL", "gpt-4.1-mini"));

		assertThat(this.environment.getProperty("spring.ai.model.embedding")).isEqualTo("ollama");
		assertThat(this.environment.getProperty("spring.ai.openai.chat.options.model")).isEqualTo("gpt-4o");
		assertThat(this.environment.getProperty("spring.ai.model.chat")).isEqualTo("none");
	}

	@Test
	void whenTheDemoModelIsSwitchedOffThenOpenAiStaysOnEvenWithoutAKey() {
		this.environment.setProperty("sample.demo-model", "false");

		postProcess(Map.of());

		assertThat(this.environment.getProperty("spring.ai.model.chat")).isNull();
		assertThat(this.environment.getProperty("spring.ai.openai.api-key")).isNull();
		assertThat(this.environment.getProperty("sample.demo-model")).isEqualTo("false");
	}

	@Test
	void whenTheDemoModelIsSwitchedOnThenItIsUsedEvenWithAKey() {
		this.environment.setProperty("sample.demo-model", "true");

		postProcess(Map.of("OPENAI_API_KEY", "sk-test"));

		assertThat(this.environment.getProperty("spring.ai.model.chat")).isEqualTo("none");
	}

	private void postProcess(Map<String, String> variables) {
		new DemoModeEnvironmentPostProcessor(new DeferredLogs(), variables::get)
			.postProcessEnvironment(this.environment, new SpringApplication());
	}

	private void assertUntouched() {
		assertThat(
				this.environment.getPropertySources().contains(DemoModeEnvironmentPostProcessor.PROPERTY_SOURCE_NAME))
			.isFalse();
		assertThat(this.environment.getProperty("spring.ai.model.chat")).isNull();
		assertThat(this.environment.getProperty("sample.demo-model")).isNull();
	}

}
