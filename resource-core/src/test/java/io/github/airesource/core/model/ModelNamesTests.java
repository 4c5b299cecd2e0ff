package io.github.airesource.core.model;

import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ModelNamesTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "gpt-4o | gpt-4o", "openai/gpt-4o | gpt-4o", "'  GPT-4o  ' | gpt-4o",
					"OpenAI/GPT-4o-2024-08-06 | gpt-4o-2024-08-06", "openrouter/openai/gpt-4.1-mini | gpt-4.1-mini",
					"llama3:8b | llama3:8b", "meta-llama/Llama-3.1-8B-Instruct | llama-3.1-8b-instruct",
					"gpt-35-turbo-0613.ft-abc123 | gpt-35-turbo-0613.ft-abc123" })
	void whenNameIsDecoratedThenNormalizeLowerCasesTrimsAndDropsTheProvider(String model, String expected) {
		assertThat(ModelNames.normalize(model)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "ft:gpt-4o-mini:org::id | ft:gpt-4o-mini:org::id",
					"FT:GPT-4o-mini-2024-07-18:Acme::X1 | ft:gpt-4o-mini-2024-07-18:acme::x1",
					"openai/ft:gpt-4o-mini:org::id | ft:gpt-4o-mini:org::id" })
	void whenFineTuneThenNormalizeKeepsItWholeSoItIsNotTakenForItsBase(String model, String expected) {
		assertThat(ModelNames.normalize(model)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource({ "''", "'   '", "'\t'", "openai/" })
	void whenNameIsBlankThenEveryFunctionReturnsEmpty(String model) {
		String normalized = ModelNames.normalize(model);

		assertThat(normalized).isEmpty();
		assertThat(ModelNames.family(normalized)).isEmpty();
		assertThat(ModelNames.fineTuneBase(normalized)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "gpt-4o-2024-08-06 | gpt-4o", "gpt-4-0613 | gpt-4", "gpt-4.1-mini-2025-04-14 | gpt-4.1-mini",
					"o3-mini-2025-01-31 | o3-mini", "gpt-4o-mini | gpt-4o-mini", "gpt-4o | gpt-4o",
					"gpt-4o-audio-preview | gpt-4o-audio-preview", "llama3:8b | llama3:8b",
					"llama3.1:70b | llama3.1:70b", "claude-3-5-sonnet-20241022 | claude-3-5-sonnet-20241022",
					"gpt-4-1106-preview | gpt-4-1106-preview",
					"ft:gpt-4o-mini-2024-07-18:acme::x1 | ft:gpt-4o-mini-2024-07-18:acme::x1" })
	void whenNameHasADatedSnapshotSuffixThenFamilyDropsItAndNothingElse(String normalized, String family) {
		assertThat(ModelNames.family(normalized)).isEqualTo(family);
	}

	@Test
	void whenDecoratedDatedNameThenNormalizedFamilyIsTheBareFamily() {
		assertThat(ModelNames.family(ModelNames.normalize("OpenAI/GPT-4o-2024-08-06"))).isEqualTo("gpt-4o");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "ft:gpt-4o-mini:org::id | gpt-4o-mini",
					"ft:gpt-4o-mini-2024-07-18:acme::x1 | gpt-4o-mini-2024-07-18", "ft:gpt-3.5-turbo | gpt-3.5-turbo",
					"ft: | ''", "gpt-4o | gpt-4o", "llama3:8b | llama3:8b", "gpt-4.1 | gpt-4.1" })
	void whenFineTuneThenFineTuneBaseIsTheModelItWasTrainedFrom(String normalized, String base) {
		assertThat(ModelNames.fineTuneBase(normalized)).isEqualTo(base);
	}

	@Test
	void whenDefaultLocaleIsTurkishThenCapitalIStillLowerCasesToI() {
		Locale original = Locale.getDefault();
		try {
			// Turkish lower-cases 'I' to a dotless i, which would make O1-PREVIEW no
			// model
			// we know.
			Locale.setDefault(Locale.forLanguageTag("tr-TR"));
			assertThat(ModelNames.normalize("O1-PREVIEW")).isEqualTo("o1-preview");
		}
		finally {
			Locale.setDefault(original);
		}
	}

}
