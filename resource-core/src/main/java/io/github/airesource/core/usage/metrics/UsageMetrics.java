package io.github.airesource.core.usage.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.util.Assert;

/**
 * Publishes recorded calls as Micrometer meters:
 * <ul>
 * <li>{@code ai.resource.tokens} (tags {@code model}, {@code type}): the token types are
 * disjoint, so they add up to the total: {@code input} is uncached prompt tokens,
 * {@code cached_input} cached prompt tokens, {@code output} completion tokens without
 * reasoning, {@code reasoning} reasoning tokens;</li>
 * <li>{@code ai.resource.cost} (USD, tag {@code model}) of priced calls;</li>
 * <li>{@code ai.resource.calls} (tags {@code model}, {@code outcome});</li>
 * <li>{@code ai.resource.cost.unpriced} (tag {@code model}): calls that used tokens of a
 * model without a price, whose cost is missing from {@code ai.resource.cost}.</li>
 * </ul>
 * Meters are never tagged by user, tenant or conversation. Model names come from provider
 * responses; past {@value #MAX_MODELS} distinct names, further ones are tagged
 * {@code other} so that a misbehaving provider cannot blow up the registry.
 */
public final class UsageMetrics implements UsageListener {

	/** Tokens used. */
	public static final String TOKENS = "ai.resource.tokens";

	/** Cost in USD. */
	public static final String COST = "ai.resource.cost";

	/** Calls by outcome. */
	public static final String CALLS = "ai.resource.calls";

	/** Calls of models without a price. */
	public static final String UNPRICED = "ai.resource.cost.unpriced";

	static final int MAX_MODELS = 100;

	private static final String OTHER = "other";

	private final MeterRegistry registry;

	private final Map<String, ModelMeters> meters = new ConcurrentHashMap<>();

	public UsageMetrics(MeterRegistry registry) {
		Assert.notNull(registry, "registry must not be null");
		this.registry = registry;
	}

	@Override
	public void onUsage(UsageRecord record, CallScope scope) {
		ModelMeters model = metersFor(record.model());
		model.calls(record.outcome()).increment();
		if (record.outcome() == CallOutcome.CACHE_HIT) {
			// Tokens and cost meters count what was spent; a hit spent nothing.
			return;
		}
		model.input.increment(record.promptTokens() - record.cachedPromptTokens());
		model.cachedInput.increment(record.cachedPromptTokens());
		model.output.increment(record.completionTokens() - record.reasoningTokens());
		model.reasoning.increment(record.reasoningTokens());
		if (record.cost() != null) {
			model.cost.increment(record.cost().doubleValue());
		}
		else {
			model.unpriced.increment();
		}
	}

	private ModelMeters metersFor(String model) {
		ModelMeters known = this.meters.get(model);
		if (known != null) {
			return known;
		}
		String tag = (this.meters.size() < MAX_MODELS) ? model : OTHER;
		return this.meters.computeIfAbsent(tag, (name) -> new ModelMeters(this.registry, name));
	}

	private static final class ModelMeters {

		private final MeterRegistry registry;

		private final String model;

		private final Counter input;

		private final Counter cachedInput;

		private final Counter output;

		private final Counter reasoning;

		private final Counter cost;

		private final Counter unpriced;

		private final Map<CallOutcome, Counter> calls = new EnumMap<>(CallOutcome.class);

		ModelMeters(MeterRegistry registry, String model) {
			this.registry = registry;
			this.model = model;
			this.input = tokens("input");
			this.cachedInput = tokens("cached_input");
			this.output = tokens("output");
			this.reasoning = tokens("reasoning");
			this.cost = Counter.builder(COST)
				.description("Cost of model calls")
				.baseUnit("usd")
				.tag("model", model)
				.register(registry);
			this.unpriced = Counter.builder(UNPRICED)
				.description("Calls that used tokens of a model without a price")
				.tag("model", model)
				.register(registry);
			for (CallOutcome outcome : CallOutcome.values()) {
				this.calls.put(outcome,
						Counter.builder(CALLS)
							.description("Chat calls by outcome")
							.tag("model", model)
							.tag("outcome", outcome.tagValue())
							.register(registry));
			}
		}

		Counter calls(CallOutcome outcome) {
			return this.calls.get(outcome);
		}

		private Counter tokens(String type) {
			return Counter.builder(TOKENS)
				.description("Tokens used by model calls")
				.baseUnit("tokens")
				.tag("model", this.model)
				.tag("type", type)
				.register(this.registry);
		}

	}

}
