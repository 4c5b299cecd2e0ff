package io.github.airesource.core.memory;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.ScopeType;

/**
 * Thrown before anything else is done for a call when the heap used after garbage
 * collection is above {@code ai.resource.memory.max-heap-usage}. The heap frees up when
 * the calls already running finish, which no one can predict, so it carries no
 * retry-after; applications map it to 503 Service Unavailable.
 */
public class MemoryPressureException extends ResourceLimitException {

	/** The limit name this exception reports. */
	public static final String LIMIT_NAME = "max-heap-usage";

	private final double heapUsageAfterGc;

	private final double maxHeapUsage;

	/**
	 * Create the exception.
	 * @param heapUsageAfterGc the fraction of the watched heap used after the last
	 * collection, or {@code NaN} when unknown
	 * @param maxHeapUsage the configured threshold
	 */
	public MemoryPressureException(double heapUsageAfterGc, double maxHeapUsage) {
		super("The heap is under pressure: " + percent(heapUsageAfterGc)
				+ " used after the last garbage collection, above the " + percent(maxHeapUsage)
				+ " allowed by ai.resource.memory.max-heap-usage; new calls are refused until it falls back",
				LIMIT_NAME, ScopeType.GLOBAL, null);
		this.heapUsageAfterGc = heapUsageAfterGc;
		this.maxHeapUsage = maxHeapUsage;
	}

	private static String percent(double fraction) {
		return Double.isNaN(fraction) ? "an unknown share" : Math.round(fraction * 1000) / 10.0 + "%";
	}

	/**
	 * Return the fraction of the watched heap used after the last collection when the
	 * call was refused.
	 * @return the fraction, or {@code NaN} when unknown
	 */
	public double heapUsageAfterGc() {
		return this.heapUsageAfterGc;
	}

	/**
	 * Return the configured threshold.
	 * @return the fraction
	 */
	public double maxHeapUsage() {
		return this.maxHeapUsage;
	}

}
