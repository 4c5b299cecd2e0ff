package io.github.airesource.core.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one normalisation of model names, shared by pricing, token counting and every
 * feature that matches models by name, so that they all agree on what the same model is.
 *
 * <p>
 * Providers report one model under several spellings: {@code GPT-4o},
 * {@code openai/gpt-4o} (routers and gateways), {@code gpt-4o-2024-08-06} (a dated
 * snapshot). {@link #normalize(String)} reduces the spelling, {@link #family(String)}
 * drops the snapshot date and {@link #fineTuneBase(String)} names the model a fine-tune
 * was trained from. A fine-tune stays whole under {@code normalize} and {@code family}
 * because it is priced, limited and reported as its own model, not as its base; only the
 * tokenizer, which a fine-tune shares with its base, asks for the base.
 *
 * <p>
 * Features that take lists of models, such as budgets that count only some models,
 * normalise both the configured names and the served model with this class and compare
 * families, so that {@code gpt-4o} in a configuration matches
 * {@code openai/GPT-4o-2024-08-06} in a response.
 */
public final class ModelNames {

	private static final String FINE_TUNE_PREFIX = "ft:";

	/** A dated snapshot: {@code -2024-08-06}, or the older {@code -0613}. */
	private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{4})$");

	private ModelNames() {
	}

	/**
	 * Normalise a model name as a provider or a configuration spells it: trimmed,
	 * lower-cased, without a provider prefix such as {@code openai/}. A fine-tune
	 * ({@code ft:gpt-4o-mini:org::id}) is kept whole.
	 * @param model the model name
	 * @return the normalised name, empty for a blank name
	 */
	public static String normalize(String model) {
		String name = model.trim().toLowerCase(Locale.ROOT);
		if (name.startsWith(FINE_TUNE_PREFIX)) {
			return name;
		}
		int slash = name.lastIndexOf('/');
		return (slash >= 0) ? name.substring(slash + 1) : name;
	}

	/**
	 * Return the family of a normalised name: the name without a dated snapshot suffix,
	 * so {@code gpt-4o-2024-08-06} and {@code gpt-4-0613} are {@code gpt-4o} and
	 * {@code gpt-4}. Nothing else is dropped: {@code gpt-4o-mini} is its own family.
	 * @param normalized a name returned by {@link #normalize(String)}
	 * @return the family, the name itself when it has no date
	 */
	public static String family(String normalized) {
		return DATE_SUFFIX.matcher(normalized).replaceFirst("");
	}

	/**
	 * Return the model a fine-tune was trained from: {@code gpt-4o-mini} for
	 * {@code ft:gpt-4o-mini:org::id}.
	 * @param normalized a name returned by {@link #normalize(String)}
	 * @return the base model, the name itself when it is not a fine-tune
	 */
	public static String fineTuneBase(String normalized) {
		if (!normalized.startsWith(FINE_TUNE_PREFIX)) {
			return normalized;
		}
		int end = normalized.indexOf(':', FINE_TUNE_PREFIX.length());
		return (end >= 0) ? normalized.substring(FINE_TUNE_PREFIX.length(), end)
				: normalized.substring(FINE_TUNE_PREFIX.length());
	}

}
