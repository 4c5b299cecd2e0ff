package io.github.airesource.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an invalid {@code ai.resource.*} property at startup: which property, what
 * value, what is wrong and what to write instead.
 */
class InvalidResourcePropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidResourcePropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidResourcePropertyException cause) {
		String description = String.format(
				"Invalid AI Resource configuration:%n%n    Property: %s%n    Value: %s%n" + "    Reason: %s%n",
				cause.getProperty(), describe(cause.getValue()), cause.getReason());
		return new FailureAnalysis(description, cause.getAction(), cause);
	}

	private static String describe(Object value) {
		return (value != null) ? "\"" + value + "\"" : "(not set)";
	}

}
