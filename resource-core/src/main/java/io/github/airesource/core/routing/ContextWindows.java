package io.github.airesource.core.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import io.github.airesource.core.model.ModelNames;

import org.springframework.util.Assert;

/**
 * The context windows of models, in tokens: prompt and output together, as OpenAI counts
 * them. A small built-in table of OpenAI's chat models, which configured values extend
 * and override. Names are compared by family ({@link ModelNames}), so {@code gpt-4o}
 * covers {@code openai/gpt-4o-2024-08-06}, and a fine-tune has its base model's window
 * unless configured itself.
 */
public final class ContextWindows {

	private static final Map<String, Integer> BUILT_IN = Map.ofEntries(Map.entry("gpt-4o", 128_000),
			Map.entry("gpt-4o-mini", 128_000), Map.entry("chatgpt-4o-latest", 128_000),
			Map.entry("gpt-4-turbo", 128_000), Map.entry("gpt-4-turbo-preview", 128_000), Map.entry("gpt-4", 8_192),
			Map.entry("gpt-4-32k", 32_768), Map.entry("gpt-3.5-turbo", 16_385), Map.entry("gpt-4.1", 1_047_576),
			Map.entry("gpt-4.1-mini", 1_047_576), Map.entry("gpt-4.1-nano", 1_047_576), Map.entry("o1", 200_000),
			Map.entry("o1-mini", 128_000), Map.entry("o3", 200_000), Map.entry("o3-mini", 200_000),
			Map.entry("o4-mini", 200_000), Map.entry("gpt-5", 400_000), Map.entry("gpt-5-mini", 400_000),
			Map.entry("gpt-5-nano", 400_000));

	private final Map<String, Integer> windows;

	private ContextWindows(Map<String, Integer> windows) {
		this.windows = Map.copyOf(windows);
	}

	/**
	 * Return the built-in windows of OpenAI's chat models.
	 * @return the windows
	 */
	public static ContextWindows withDefaults() {
		return new ContextWindows(BUILT_IN);
	}

	/**
	 * Return the built-in windows extended and overridden by configured ones.
	 * @param overrides tokens per model name
	 * @return the windows
	 */
	public static ContextWindows withDefaults(Map<String, Integer> overrides) {
		Map<String, Integer> windows = new HashMap<>(BUILT_IN);
		overrides.forEach((model, tokens) -> {
			Assert.isTrue(tokens != null && tokens > 0, () -> "the context window of " + model + " must be positive");
			windows.put(key(model), tokens);
		});
		return new ContextWindows(windows);
	}

	/**
	 * Return a model's context window.
	 * @param model the model name as a request or a provider spells it
	 * @return the window in tokens, empty when the model is unknown
	 */
	public OptionalInt of(String model) {
		String key = key(model);
		Integer tokens = this.windows.get(key);
		if (tokens == null) {
			tokens = this.windows.get(ModelNames.family(ModelNames.fineTuneBase(key)));
		}
		return (tokens != null) ? OptionalInt.of(tokens) : OptionalInt.empty();
	}

	private static String key(String model) {
		return ModelNames.family(ModelNames.normalize(model));
	}

}
