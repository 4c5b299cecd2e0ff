package io.github.airesource.autoconfigure.concurrency;

import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencyPriority;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The concurrency meters: {@code ai.resource.concurrency.active} (calls holding a
 * permit), {@code ai.resource.concurrency.queued} (tag {@code priority}: calls waiting)
 * and {@code ai.resource.limit.wait} with tag {@code kind=concurrency}, how long each
 * admitted call waited for its permit (the rate limit records its waits in the same timer
 * with {@code kind=rate-limit}). Never tagged by user or tenant.
 */
final class ConcurrencyMetrics {

	/** The timer shared by every limit that makes calls wait. */
	static final String WAIT = "ai.resource.limit.wait";

	private ConcurrencyMetrics() {
	}

	static void bind(ConcurrencyBulkhead bulkhead, MeterRegistry registry) {
		Gauge.builder("ai.resource.concurrency.active", bulkhead, ConcurrencyBulkhead::active)
			.description("Model calls holding a concurrency permit")
			.register(registry);
		for (ConcurrencyPriority priority : ConcurrencyPriority.values()) {
			Gauge.builder("ai.resource.concurrency.queued", bulkhead, (all) -> all.queued(priority))
				.description("Model calls waiting for a concurrency permit")
				.tag("priority", priority.value())
				.register(registry);
		}
		Timer wait = Timer.builder(WAIT)
			.description("How long admitted calls waited for a resource limit")
			.tag("kind", "concurrency")
			.register(registry);
		bulkhead.addWaitListener(wait::record);
	}

}
