package io.github.airesource.actuate.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.github.airesource.core.HeldResources;
import io.github.airesource.core.memory.MemoryGuardAdvisor;
import io.github.airesource.core.memory.MemoryMonitor;
import io.github.airesource.core.memory.MemorySnapshot;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.lang.Nullable;

/**
 * The {@code aimemory} health contributor: {@code OUT_OF_SERVICE} while the heap used
 * after garbage collection is above {@code ai.resource.memory.max-heap-usage} (new calls
 * are refused, so a readiness probe should send traffic elsewhere), UP otherwise; never
 * {@code DOWN}, since the instance recovers by itself as running calls finish. Details:
 * the figures of {@link MemorySnapshot}, read when the health is asked for, the calls
 * refused so far, and what the library holds for calls in flight right now
 * ({@link HeldResources}: bulkhead permits and waiters, cache loads, summary jobs), which
 * falls back to zero when traffic stops unless something leaks.
 */
public class MemoryHealthIndicator extends AbstractHealthIndicator {

	private final MemoryMonitor monitor;

	@Nullable
	private final MemoryGuardAdvisor advisor;

	private final Supplier<List<HeldResources>> held;

	/**
	 * Create the contributor.
	 * @param monitor the monitor
	 * @param advisor the guard, or {@code null} when none counts refusals
	 */
	public MemoryHealthIndicator(MemoryMonitor monitor, @Nullable MemoryGuardAdvisor advisor) {
		this(monitor, advisor, List::of);
	}

	/**
	 * Create the contributor that also lists what is held.
	 * @param monitor the monitor
	 * @param advisor the guard, or {@code null} when none counts refusals
	 * @param held supplies the parts of the library that hold resources, looked up on
	 * each check
	 */
	public MemoryHealthIndicator(MemoryMonitor monitor, @Nullable MemoryGuardAdvisor advisor,
			Supplier<List<HeldResources>> held) {
		super("Memory health check failed");
		this.monitor = monitor;
		this.advisor = advisor;
		this.held = held;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		MemorySnapshot snapshot = this.monitor.snapshot();
		if (snapshot.underPressure()) {
			builder.outOfService();
		}
		else {
			builder.up();
		}
		builder.withDetail("heapUsageAfterGc", snapshot.heapUsageAfterGc())
			.withDetail("maxHeapUsage", snapshot.maxHeapUsage())
			.withDetail("heapAfterGc", snapshot.heapAfterGcBytes())
			.withDetail("watched", new Watched(snapshot.watchedPools(), snapshot.watchedMaxBytes()))
			.withDetail("heap",
					new Area(snapshot.heapUsedBytes(), snapshot.heapCommittedBytes(), snapshot.heapMaxBytes()))
			.withDetail("nonHeap", new Area(snapshot.nonHeapUsedBytes(), snapshot.nonHeapCommittedBytes(), -1))
			.withDetail("gc", new Collections(snapshot.gcCount(), snapshot.gcTime()));
		if (snapshot.residentBytes() >= 0) {
			builder.withDetail("resident", snapshot.residentBytes());
		}
		if (this.advisor != null) {
			builder.withDetail("rejected", new Rejected(this.advisor.rejections(), this.advisor.lastRejection()));
		}
		Map<String, Long> held = new TreeMap<>();
		for (HeldResources resources : this.held.get()) {
			held.putAll(resources.held());
		}
		builder.withDetail("held", held);
	}

	/**
	 * The heap pools the threshold applies to.
	 *
	 * @param pools their names
	 * @param max their maximum size in bytes
	 */
	public record Watched(List<String> pools, long max) {
	}

	/**
	 * A memory area in bytes.
	 *
	 * @param used in use now
	 * @param committed committed by the JVM
	 * @param max the maximum, -1 when undefined
	 */
	public record Area(long used, long committed, long max) {
	}

	/**
	 * Garbage collections since start.
	 *
	 * @param count how many
	 * @param time how long they took in all
	 */
	public record Collections(long count, Duration time) {
	}

	/**
	 * Calls refused under pressure since start.
	 *
	 * @param count how many
	 * @param last when the last one was, {@code null} when none was
	 */
	public record Rejected(long count, @Nullable Instant last) {
	}

}
