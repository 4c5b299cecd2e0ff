package io.github.airesource.autoconfigure.memory;

import io.github.airesource.core.memory.MemoryGuardAdvisor;
import io.github.airesource.core.memory.MemoryMonitor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.lang.Nullable;

/**
 * The memory meters: {@code ai.resource.memory.pressure} (1 while new calls are refused,
 * else 0), {@code ai.resource.memory.heap.after.gc} (the watched heap's used fraction
 * after its last collection), {@code ai.resource.memory.max.heap.usage} (the threshold,
 * so a dashboard can draw both) and {@code ai.resource.memory.rejected} (calls refused).
 * Heap and GC totals are Micrometer's own {@code jvm.*} meters.
 */
final class MemoryMetrics {

	private MemoryMetrics() {
	}

	static void bind(MemoryMonitor monitor, @Nullable MemoryGuardAdvisor advisor, MeterRegistry registry) {
		Gauge.builder("ai.resource.memory.pressure", monitor, (m) -> m.underPressure() ? 1 : 0)
			.description("Whether new calls are refused because the heap is full after garbage collection")
			.register(registry);
		Gauge.builder("ai.resource.memory.heap.after.gc", monitor, MemoryMonitor::heapUsageAfterGc)
			.description("Fraction of the watched heap pools used after their last garbage collection")
			.baseUnit("ratio")
			.register(registry);
		Gauge.builder("ai.resource.memory.max.heap.usage", monitor, MemoryMonitor::maxHeapUsage)
			.description("Fraction of the watched heap pools above which new calls are refused")
			.baseUnit("ratio")
			.register(registry);
		if (advisor != null) {
			FunctionCounter.builder("ai.resource.memory.rejected", advisor, MemoryGuardAdvisor::rejections)
				.description("Calls refused because the heap was under pressure")
				.register(registry);
		}
	}

}
