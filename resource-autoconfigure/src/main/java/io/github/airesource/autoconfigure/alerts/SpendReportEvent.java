package io.github.airesource.autoconfigure.alerts;

import io.github.airesource.core.alerts.SpendReport;

import org.springframework.context.ApplicationEvent;

/**
 * Published with the daily spend report when {@code ai.resource.alerts.spend-report} is
 * enabled.
 */
public class SpendReportEvent extends ApplicationEvent {

	private final SpendReport report;

	/**
	 * Create an event.
	 * @param source the reporter
	 * @param report the report
	 */
	public SpendReportEvent(Object source, SpendReport report) {
		super(source);
		this.report = report;
	}

	/**
	 * Return the report.
	 * @return the report
	 */
	public SpendReport getReport() {
		return this.report;
	}

}
