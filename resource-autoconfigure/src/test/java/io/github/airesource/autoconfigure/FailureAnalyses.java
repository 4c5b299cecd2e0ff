package io.github.airesource.autoconfigure;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs AI Resource's failure analyzer on a startup failure, as Spring Boot does when an
 * application fails to start.
 */
public final class FailureAnalyses {

	private FailureAnalyses() {
	}

	/**
	 * Analyze a startup failure that an invalid {@code ai.resource.*} property caused.
	 * @param failure the context's startup failure
	 * @return the analysis
	 */
	public static FailureAnalysis analyze(Throwable failure) {
		assertThat(failure).as("the context should have failed to start").isNotNull();
		FailureAnalysis analysis = new InvalidResourcePropertyFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("analysis of " + failure).isNotNull();
		return analysis;
	}

	/**
	 * Analyze a startup failure as Spring Boot does for a value that cannot be bound to
	 * its property's type (its analyzer is not public).
	 * @param failure the context's startup failure
	 * @return the analysis
	 */
	public static FailureAnalysis bindFailure(Throwable failure) {
		assertThat(failure).as("the context should have failed to start").isNotNull();
		try {
			var analyzer = Class.forName("org.springframework.boot.diagnostics.analyzer.BindFailureAnalyzer")
				.getDeclaredConstructor();
			analyzer.setAccessible(true);
			FailureAnalysis analysis = ((FailureAnalyzer) analyzer.newInstance()).analyze(failure);
			assertThat(analysis).as("analysis of " + failure).isNotNull();
			return analysis;
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Spring Boot's BindFailureAnalyzer could not be created", ex);
		}
	}

}
