package io.github.airesource.core.tokens;

import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ModelEncodingsTests {

	@ParameterizedTest
	@CsvSource({ "gpt-4o, O200K_BASE", "gpt-4o-2024-08-06, O200K_BASE", "gpt-4o-mini, O200K_BASE",
			"gpt-4.1-nano, O200K_BASE", "gpt-4.5-preview, O200K_BASE", "gpt-5, O200K_BASE", "gpt-5-mini, O200K_BASE",
			"o1, O200K_BASE", "o3-mini, O200K_BASE", "o4-mini-2025-04-16, O200K_BASE", "chatgpt-4o-latest, O200K_BASE",
			"GPT-4O, O200K_BASE", "openai/gpt-4o, O200K_BASE", "'ft:gpt-4o-mini-2024-07-18:acme::abc123', O200K_BASE",
			"'openai/ft:gpt-4o-mini:acme::abc123', O200K_BASE", "'ft:gpt-3.5-turbo-0613:acme::abc123', CL100K_BASE",
			"gpt-4, CL100K_BASE", "gpt-4-0613, CL100K_BASE", "gpt-4-turbo, CL100K_BASE", "gpt-3.5-turbo, CL100K_BASE",
			"gpt-35-turbo, CL100K_BASE", "text-embedding-3-small, CL100K_BASE", "text-embedding-ada-002, CL100K_BASE" })
	void whenOpenAiModelThenItsOwnEncoding(String model, EncodingType expected) {
		assertThat(ModelEncodings.forModel(model, EncodingType.R50K_BASE)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource({ "claude-3-5-sonnet-20241022", "llama3.1:8b", "mistral-large-latest", "ollama", "''" })
	void whenOtherProvidersModelThenFallback(String model) {
		assertThat(ModelEncodings.forModel(model, EncodingType.P50K_BASE)).isEqualTo(EncodingType.P50K_BASE);
		assertThat(ModelEncodings.forModel(null, EncodingType.CL100K_BASE)).isEqualTo(EncodingType.CL100K_BASE);
	}

}
