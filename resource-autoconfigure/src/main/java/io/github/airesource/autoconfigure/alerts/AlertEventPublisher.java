package io.github.airesource.autoconfigure.alerts;

import io.github.airesource.core.alerts.AlertListener;
import io.github.airesource.core.alerts.AlertTransition;
import io.github.airesource.core.alerts.SpendReport;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Turns alert transitions and spend reports into Spring application events. Events are
 * published on the evaluator's thread, so a slow {@code @EventListener} delays the next
 * evaluation, never a model call.
 */
public class AlertEventPublisher implements AlertListener {

	private final ApplicationEventPublisher publisher;

	/**
	 * Create a publisher.
	 * @param publisher the application's event publisher
	 */
	public AlertEventPublisher(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void onTransition(AlertTransition transition) {
		this.publisher.publishEvent(new AlertEvent(this, transition));
	}

	@Override
	public void onSpendReport(SpendReport report) {
		this.publisher.publishEvent(new SpendReportEvent(this, report));
	}

}
