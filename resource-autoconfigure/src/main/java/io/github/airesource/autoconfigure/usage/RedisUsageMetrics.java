package io.github.airesource.autoconfigure.usage;

import io.github.airesource.autoconfigure.redis.RedisStoreMetrics;
import io.github.airesource.core.usage.redis.RedisUsageLedger;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters of the Redis usage store: failed round trips
 * ({@code ai.resource.redis.failures}, tag {@code feature=usage}), calls by write outcome
 * ({@code ai.resource.usage.redis.writes}, tag {@code outcome} = {@code written},
 * {@code failed}, {@code unknown}) and calls waiting to be written
 * ({@code ai.resource.usage.redis.pending}).
 */
final class RedisUsageMetrics {

	private RedisUsageMetrics() {
	}

	static void bind(RedisUsageLedger ledger, MeterRegistry registry) {
		RedisStoreMetrics.bind(ledger.health(), registry);
		writes(registry, ledger, "written", RedisUsageLedger::writtenCalls, "Recorded calls that Redis confirmed");
		writes(registry, ledger, "failed", RedisUsageLedger::failedWrites,
				"Recorded calls that were certainly not written to Redis");
		writes(registry, ledger, "unknown", RedisUsageLedger::unknownWrites,
				"Recorded calls sent to Redis without an answer; they may or may not be in the fleet totals");
		Gauge.builder("ai.resource.usage.redis.pending", ledger, RedisUsageLedger::pendingWrites)
			.description("Recorded calls waiting to be written to Redis")
			.register(registry);
	}

	private static void writes(MeterRegistry registry, RedisUsageLedger ledger, String outcome,
			java.util.function.ToDoubleFunction<RedisUsageLedger> count, String description) {
		FunctionCounter.builder("ai.resource.usage.redis.writes", ledger, count)
			.description(description)
			.tag("outcome", outcome)
			.register(registry);
	}

}
