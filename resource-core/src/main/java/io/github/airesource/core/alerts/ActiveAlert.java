package io.github.airesource.core.alerts;

import java.time.Instant;

/**
 * An alert that is firing now.
 *
 * @param rule the rule's name
 * @param value the value last measured
 * @param threshold the rule's threshold
 * @param since when it fired
 * @param lastNotified when it was last announced (fired or repeated)
 * @param message the last reading's description
 */
public record ActiveAlert(String rule, double value, double threshold, Instant since, Instant lastNotified,
		String message) {
}
