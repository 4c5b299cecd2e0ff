package io.github.airesource.core.alerts;

/**
 * A transition of an alert.
 */
public enum AlertStatus {

	/** The rule crossed its threshold. */
	FIRING,

	/** The rule still holds after a cooldown since it was last announced. */
	REPEATED,

	/** The rule cleared. */
	RESOLVED

}
