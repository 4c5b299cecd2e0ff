package io.github.airesource.core.memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MemoryMonitorTests {

	@Test
	void whenTheThresholdIsOutsideZeroToOneThenCreationFails() {
		assertThatIllegalArgumentException().isThrownBy(() -> MemoryMonitor.create(0));
		assertThatIllegalArgumentException().isThrownBy(() -> MemoryMonitor.create(1));
	}

	@Test
	void whenStartedThenTheWatchedPoolsCarryTheThresholdAndStopPutsBackThePreviousOne() {
		try (MemoryMonitor monitor = MemoryMonitor.create(0.9)) {
			assertThat(monitor.watchedPools()).isNotEmpty();
			MemoryPoolMXBean pool = pool(monitor.watchedPools().get(0));
			long before = pool.getCollectionUsageThreshold();
			monitor.start();
			assertThat(monitor.isRunning()).isTrue();
			long max = (pool.getUsage().getMax() > 0) ? pool.getUsage().getMax() : Runtime.getRuntime().maxMemory();
			assertThat(pool.getCollectionUsageThreshold()).isEqualTo((long) Math.ceil(max * 0.9));
			monitor.stop();
			assertThat(monitor.isRunning()).isFalse();
			assertThat(pool.getCollectionUsageThreshold()).isEqualTo(before);
		}
	}

	@Test
	void whenTheHeapIsFarBelowTheThresholdThenThereIsNoPressureAndTheSnapshotHasTheFigures() {
		try (MemoryMonitor monitor = MemoryMonitor.create(0.99)) {
			monitor.start();
			MemorySnapshot snapshot = monitor.snapshot();
			assertThat(monitor.underPressure()).isFalse();
			assertThat(snapshot.underPressure()).isFalse();
			assertThat(snapshot.maxHeapUsage()).isEqualTo(0.99);
			assertThat(snapshot.watchedPools()).isEqualTo(monitor.watchedPools());
			assertThat(snapshot.heapUsedBytes()).isPositive();
			assertThat(snapshot.heapCommittedBytes()).isGreaterThanOrEqualTo(snapshot.heapUsedBytes());
			assertThat(snapshot.nonHeapUsedBytes()).isPositive();
			assertThat(snapshot.watchedMaxBytes()).isPositive();
			if (Files.isReadable(Path.of("/proc/self/status"))) {
				assertThat(snapshot.residentBytes()).isGreaterThan(snapshot.heapUsedBytes() / 2);
			}
		}
	}

	@Test
	void theYoungPoolsAreNeverWatched() {
		assertThat(MemoryMonitor.watchedPools(ManagementFactory.getMemoryPoolMXBeans()))
			.extracting(MemoryPoolMXBean::getName)
			.noneMatch((name) -> name.contains("Eden") || name.contains("Survivor") || name.contains("Young"));
	}

	@Test
	void theResidentSizeIsParsedFromKilobytes() {
		assertThat(MemoryMonitor.parseKilobytes("\t  123456 kB")).isEqualTo(123456);
	}

	private static MemoryPoolMXBean pool(String name) {
		return ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.getName().equals(name))
			.findFirst()
			.orElseThrow();
	}

}
