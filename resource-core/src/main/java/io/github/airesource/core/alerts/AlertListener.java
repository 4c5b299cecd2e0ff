package io.github.airesource.core.alerts;

/**
 * Takes alert transitions and spend reports. Called on the evaluator's thread: an
 * implementation that does I/O hands it to an executor of its own (as
 * {@link WebhookNotifier} does). Exceptions are logged and do not stop other listeners.
 */
public interface AlertListener {

	/**
	 * Take one transition.
	 * @param transition the transition
	 */
	void onTransition(AlertTransition transition);

	/**
	 * Take a spend report.
	 * @param report the report
	 */
	default void onSpendReport(SpendReport report) {
	}

}
