package io.github.airesource.autoconfigure.alerts;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.alerts.SpendReport;
import io.github.airesource.core.alerts.SpendReporter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.lang.Nullable;

/**
 * Runs the alert evaluator (and the spend report check) every {@code check-interval} on a
 * daemon thread of its own, from when the context starts until it stops.
 */
public class AlertsScheduler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(AlertsScheduler.class);

	private final AlertEvaluator evaluator;

	@Nullable
	private final SpendReporter spendReporter;

	private final Duration interval;

	@Nullable
	private volatile ScheduledExecutorService executor;

	/**
	 * Create a scheduler.
	 * @param evaluator the evaluator
	 * @param spendReporter the spend reporter, or {@code null}
	 * @param interval time between evaluations
	 */
	public AlertsScheduler(AlertEvaluator evaluator, @Nullable SpendReporter spendReporter, Duration interval) {
		this.evaluator = evaluator;
		this.spendReporter = spendReporter;
		this.interval = interval;
	}

	@Override
	public synchronized void start() {
		if (this.executor != null) {
			return;
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "ai-resource-alerts");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::tick, this.interval.toMillis(), this.interval.toMillis(),
				TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	/**
	 * Evaluate once: the rules, then the spend report when due. Exceptions are logged so
	 * that the schedule goes on.
	 */
	public void tick() {
		try {
			this.evaluator.evaluate();
			if (this.spendReporter != null) {
				SpendReport report = this.spendReporter.reportIfDue();
				if (report != null) {
					this.evaluator.publish(report);
				}
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Alert evaluation failed", ex);
		}
	}

	@Override
	public synchronized void stop() {
		ScheduledExecutorService executor = this.executor;
		if (executor != null) {
			executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

}
