package io.github.airesource.actuate.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
 * the figures of {@link MemorySnapshot}, read when the health is asked for, and the calls
 * refused so far.
 */
public class MemoryHealthIndicator extends AbstractHealthIndicator {

	private final MemoryMonitor monitor;

	@Nullable
	private final MemoryGuardAdvisor advisor;

	/**
	 * Create the contributor.
	 * @param monitor the monitor
	 * @param advisor the guard, or {@code null} when none counts refusals
	 */
	public MemoryHealthIndicator(MemoryMonitor monitor, @Nullable MemoryGuardAdvisor advisor) {
		super("Memory health check failed");
		this.monitor = monitor;
		this.advisor = advisor;
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
