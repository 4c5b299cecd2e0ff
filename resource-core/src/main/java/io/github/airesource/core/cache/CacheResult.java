package io.github.airesource.core.cache;

import java.util.Locale;

/**
 * How the caches treated a call: the value put in the response context under
 * {@value io.github.airesource.core.ResourceContextKeys#CACHE}.
 */
public enum CacheResult {

	/** No cache held an answer; the model was called. */
	MISS,

	/** The exact-match response cache answered. */
	HIT_EXACT,

	/** The semantic cache answered with the response to a similar request. */
	HIT_SEMANTIC,

	/**
	 * The caches were skipped: the caller asked so, or the request is not one the caches
	 * keep (too random, tools pending, and so on).
	 */
	BYPASS;

	/**
	 * Return the value seen by applications and in metric tags, such as
	 * {@code hit-exact}.
	 * @return the value
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	@Override
	public String toString() {
		return value();
	}

}
