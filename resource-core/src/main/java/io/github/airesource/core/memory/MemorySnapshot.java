package io.github.airesource.core.memory;

import java.time.Duration;
import java.util.List;

/**
 * The JVM's memory at one moment, as {@link MemoryMonitor#snapshot()} reads it.
 *
 * @param underPressure whether new calls are refused now
 * @param maxHeapUsage the threshold, a fraction of the watched pools' maximum
 * @param heapUsageAfterGc the fraction of the watched pools' maximum used after their
 * last collection ({@code NaN} before the first one)
 * @param heapAfterGcBytes bytes used in the watched pools after their last collection
 * @param watchedMaxBytes the watched pools' maximum size
 * @param watchedPools the names of the heap pools the threshold is set on
 * @param heapUsedBytes heap in use now, garbage included
 * @param heapCommittedBytes heap committed by the JVM
 * @param heapMaxBytes the heap's maximum ({@code -Xmx}), or -1 when undefined
 * @param nonHeapUsedBytes non-heap memory in use (metaspace, code cache)
 * @param nonHeapCommittedBytes non-heap memory committed
 * @param gcCount collections since start, all collectors
 * @param gcTime time spent in collections since start, all collectors (for concurrent
 * collectors such as ZGC, the pauses and cycles as the JVM reports them)
 * @param residentBytes the process's resident set size ({@code VmRSS}), or -1 where the
 * OS does not tell it (only Linux does)
 */
public record MemorySnapshot(boolean underPressure, double maxHeapUsage, double heapUsageAfterGc, long heapAfterGcBytes,
		long watchedMaxBytes, List<String> watchedPools, long heapUsedBytes, long heapCommittedBytes, long heapMaxBytes,
		long nonHeapUsedBytes, long nonHeapCommittedBytes, long gcCount, Duration gcTime, long residentBytes) {

}
