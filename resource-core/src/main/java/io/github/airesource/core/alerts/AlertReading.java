package io.github.airesource.core.alerts;

/**
 * What a rule measured at one evaluation.
 *
 * @param value the measured value, in the rule's unit
 * @param breached whether the value is on the wrong side of the threshold
 * @param message a one-line description for people, without prompt text or ids beyond
 * limit names and scope keys
 */
public record AlertReading(double value, boolean breached, String message) {
}
