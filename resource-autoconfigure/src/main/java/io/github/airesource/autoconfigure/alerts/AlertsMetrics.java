package io.github.airesource.autoconfigure.alerts;

import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.alerts.AlertListener;
import io.github.airesource.core.alerts.AlertTransition;
import io.github.airesource.core.alerts.WebhookNotifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.lang.Nullable;

/**
 * Alert meters: {@code ai.resource.alerts.active} (alerts firing now),
 * {@code ai.resource.alerts.transitions} (tags {@code rule}, {@code status}) and, with a
 * webhook, {@code ai.resource.alerts.webhook} (tag {@code result} = sent, failed). Rule
 * names only, never a user or tenant.
 */
public class AlertsMetrics implements MeterBinder, AlertListener {

	private final ObjectProvider<AlertEvaluator> evaluator;

	private final ObjectProvider<WebhookNotifier> webhook;

	@Nullable
	private volatile MeterRegistry registry;

	/**
	 * Create the meters.
	 * @param evaluator the evaluator, looked up when bound (it takes this listener)
	 * @param webhook the webhook notifier, if any
	 */
	public AlertsMetrics(ObjectProvider<AlertEvaluator> evaluator, ObjectProvider<WebhookNotifier> webhook) {
		this.evaluator = evaluator;
		this.webhook = webhook;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		AlertEvaluator alerts = this.evaluator.getIfUnique();
		if (alerts != null) {
			Gauge.builder("ai.resource.alerts.active", alerts, (evaluator) -> evaluator.active().size())
				.description("Alerts firing now")
				.register(registry);
		}
		WebhookNotifier notifier = this.webhook.getIfUnique();
		if (notifier != null) {
			FunctionCounter.builder("ai.resource.alerts.webhook", notifier, WebhookNotifier::sent)
				.tag("result", "sent")
				.description("Webhook messages delivered or given up")
				.register(registry);
			FunctionCounter.builder("ai.resource.alerts.webhook", notifier, WebhookNotifier::failed)
				.tag("result", "failed")
				.description("Webhook messages delivered or given up")
				.register(registry);
		}
		this.registry = registry;
	}

	@Override
	public void onTransition(AlertTransition transition) {
		MeterRegistry registry = this.registry;
		if (registry != null) {
			Counter.builder("ai.resource.alerts.transitions")
				.tag("rule", transition.rule())
				.tag("status", transition.status().name().toLowerCase(java.util.Locale.ROOT))
				.description("Alert transitions")
				.register(registry)
				.increment();
		}
	}

}
