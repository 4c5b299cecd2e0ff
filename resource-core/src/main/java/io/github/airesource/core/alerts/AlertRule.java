package io.github.airesource.core.alerts;

import org.springframework.lang.Nullable;

/**
 * One alert rule: a name, a threshold and a measurement. Rules are evaluated on the
 * evaluator's thread, never on a model call's.
 */
public interface AlertRule {

	/**
	 * Return the rule's name, as the {@code aialerts} endpoint and the webhook show it,
	 * such as {@code tokens-per-minute}.
	 * @return the name
	 */
	String name();

	/**
	 * Return the threshold, in the rule's unit.
	 * @return the threshold
	 */
	double threshold();

	/**
	 * Measure now.
	 * @return the reading, or {@code null} when there is nothing to measure yet (no calls
	 * in the window, no lookups), which counts as clear
	 */
	@Nullable
	AlertReading read();

}
