package io.github.airesource.core.alerts;

import java.time.Instant;

/**
 * One transition of one rule's alert.
 *
 * @param rule the rule's name
 * @param status what happened
 * @param value the value measured
 * @param threshold the rule's threshold
 * @param at when the evaluator saw it
 * @param message a one-line description
 */
public record AlertTransition(String rule, AlertStatus status, double value, double threshold, Instant at,
		String message) {
}
