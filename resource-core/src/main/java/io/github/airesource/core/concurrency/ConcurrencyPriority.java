package io.github.airesource.core.concurrency;

import java.util.Locale;

import io.github.airesource.core.ResourceContextKeys;

import org.springframework.lang.Nullable;

/**
 * A call's place in the concurrency queue, from the advisor parameter
 * {@value ResourceContextKeys#PRIORITY}: when permits are short, queued {@link #HIGH}
 * calls are admitted before {@link #NORMAL} ones, and those before {@link #LOW}; calls of
 * one priority are admitted first come, first served.
 */
public enum ConcurrencyPriority {

	/** Admitted first; the only priority that may take reserved permits. */
	HIGH,

	/** The priority of calls that name none. */
	NORMAL,

	/** Admitted only when no high or normal call is waiting for the permit. */
	LOW;

	/**
	 * Return the priority an advisor parameter names.
	 * @param value the parameter: a priority, or its name in any case
	 * @return the priority; {@link #NORMAL} when the value is missing or unknown, so that
	 * a typo never fails a call
	 */
	public static ConcurrencyPriority of(@Nullable Object value) {
		if (value instanceof ConcurrencyPriority priority) {
			return priority;
		}
		if (value != null) {
			String name = value.toString().trim().toUpperCase(Locale.ROOT);
			for (ConcurrencyPriority priority : values()) {
				if (priority.name().equals(name)) {
					return priority;
				}
			}
		}
		return NORMAL;
	}

	/**
	 * Return the lower-case name used in advisor parameters and metric tags.
	 * @return the name, such as {@code high}
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}
