package io.github.airesource.core.tokens;

import com.knuddels.jtokkit.api.EncodingType;
import org.springframework.lang.Nullable;

import io.github.airesource.core.model.ModelNames;

/**
 * Picks the tokenizer for a model name.
 *
 * <ul>
 * <li>{@code o200k_base}: the gpt-4o, gpt-4.1, gpt-4.5 and gpt-5 families, chatgpt-4o,
 * gpt-oss and the o-series reasoning models (o1, o3, o4-mini, ...).</li>
 * <li>{@code cl100k_base}: gpt-4 and gpt-4-turbo, gpt-3.5-turbo and the text-embedding
 * models.</li>
 * <li>Anything else (other providers' models, unknown names, no name): the configured
 * fallback, {@code o200k_base} unless set otherwise. Other providers use their own
 * tokenizers, so counts for their models are estimates; their own usage figures, when
 * they report them, always win over ours.</li>
 * </ul>
 *
 * Names are matched case-insensitively after removing a provider prefix such as
 * {@code openai/} ({@link ModelNames#normalize(String)}); a fine-tune such as
 * {@code ft:gpt-4o-mini:org::id} shares its base model's tokenizer.
 */
public final class ModelEncodings {

	private ModelEncodings() {
	}

	/**
	 * Return the encoding of a model, or the fallback when the model is not an OpenAI
	 * model this class knows.
	 * @param model the model name, may be {@code null}
	 * @param fallback the encoding for unknown models
	 * @return the encoding
	 */
	public static EncodingType forModel(@Nullable String model, EncodingType fallback) {
		if (model == null || model.isBlank()) {
			return fallback;
		}
		String name = baseName(model);
		if (isO200k(name)) {
			return EncodingType.O200K_BASE;
		}
		if (name.startsWith("gpt-4") || name.startsWith("gpt-3.5") || name.startsWith("gpt-35")
				|| name.startsWith("text-embedding-")) {
			return EncodingType.CL100K_BASE;
		}
		return fallback;
	}

	/**
	 * Return the name whose tokenizer a model uses: normalised, and the base model of a
	 * fine-tune, which keeps its base's tokenizer.
	 * @param model the model name as a provider reports it
	 * @return the base name
	 */
	static String baseName(String model) {
		return ModelNames.fineTuneBase(ModelNames.normalize(model));
	}

	private static boolean isO200k(String name) {
		return name.startsWith("gpt-4o") || name.startsWith("gpt-4.1") || name.startsWith("gpt-4.5")
				|| name.startsWith("gpt-5") || name.startsWith("chatgpt-4o") || name.startsWith("gpt-oss")
				|| name.startsWith("codex-") || name.startsWith("computer-use") || isReasoningSeries(name);
	}

	private static boolean isReasoningSeries(String name) {
		return name.length() >= 2 && name.charAt(0) == 'o' && Character.isDigit(name.charAt(1));
	}

}
