package io.github.airesource.core.usage;

import java.util.Locale;

/**
 * How a call ended, as recorded in usage records and the {@code outcome} tag of the
 * {@code ai.resource.calls} metric.
 */
public enum CallOutcome {

	/** The model answered. */
	SUCCESS,

	/** The model call failed. */
	ERROR,

	/** The caller cancelled a stream before it completed. */
	CANCELLED,

	/** A resource limit refused the call before it reached the model. */
	REJECTED,

	/** A cache answered; the model was not called. */
	CACHE_HIT;

	/**
	 * Return the metric tag value, such as {@code cache_hit}.
	 * @return the tag value
	 */
	public String tagValue() {
		return name().toLowerCase(Locale.ROOT);
	}

}
