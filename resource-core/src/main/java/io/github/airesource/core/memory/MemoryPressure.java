package io.github.airesource.core.memory;

/**
 * Whether the heap is under pressure now, as the {@link MemoryGuardAdvisor} asks it on
 * every call: implementations must answer from a field (one volatile read), never by
 * calling a management bean.
 */
@FunctionalInterface
public interface MemoryPressure {

	/**
	 * Return whether new calls should be refused.
	 * @return {@code true} while the heap used after GC is above the threshold
	 */
	boolean underPressure();

	/**
	 * Return the fraction of the watched heap used after the last collection, for the
	 * message of a refusal; may be a recent value rather than the current one.
	 * @return the fraction, or {@code NaN} when unknown
	 */
	default double heapUsageAfterGc() {
		return Double.NaN;
	}

	/**
	 * Return the threshold above which the heap is under pressure.
	 * @return the fraction, or {@code NaN} when unknown
	 */
	default double maxHeapUsage() {
		return Double.NaN;
	}

}
