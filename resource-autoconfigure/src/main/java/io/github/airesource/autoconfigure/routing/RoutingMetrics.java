package io.github.airesource.autoconfigure.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.airesource.core.routing.RoutingDecision;
import io.github.airesource.core.routing.RoutingListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts routed calls: {@value #ROUTED} with tags {@code model} (the model the call was
 * sent to) and {@code reason} ({@code rule} or {@code context-window}). Target models
 * come from the configuration, so the tags stay few.
 */
public final class RoutingMetrics implements RoutingListener {

	/** The counter of routed calls. */
	public static final String ROUTED = "ai.resource.routing.routed";

	private final MeterRegistry registry;

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	public RoutingMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onRouted(RoutingDecision decision) {
		this.counters
			.computeIfAbsent(decision.model() + '\u0000' + decision.reason(),
					(key) -> Counter.builder(ROUTED)
						.description("Calls the routing advisor sent to another model")
						.tag("model", decision.model())
						.tag("reason", decision.reason())
						.register(this.registry))
			.increment();
	}

}
