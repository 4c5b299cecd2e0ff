package io.github.airesource.autoconfigure.memory;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.memory.MemoryGuardAdvisor;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * JVM memory protection: refuse new calls while the heap used after garbage collection is
 * above a fraction of its maximum.
 */
@ConfigurationProperties(MemoryProperties.PREFIX)
public class MemoryProperties implements InitializingBean {

	/** The prefix of the memory properties. */
	public static final String PREFIX = "ai.resource.memory";

	/**
	 * Whether to refuse new calls while the heap is under pressure.
	 */
	private boolean enabled = true;

	/**
	 * Heap used after garbage collection, as a fraction of the old generation's maximum
	 * (the whole heap with G1 and ZGC), above which new calls are refused.
	 */
	private double maxHeapUsage = 0.90;

	/**
	 * Position of the memory guard advisor in the chat client's advisor chain.
	 */
	private int order = MemoryGuardAdvisor.DEFAULT_ORDER;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public double getMaxHeapUsage() {
		return this.maxHeapUsage;
	}

	public void setMaxHeapUsage(double maxHeapUsage) {
		this.maxHeapUsage = maxHeapUsage;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	@Override
	public void afterPropertiesSet() {
		if (!(this.maxHeapUsage > 0 && this.maxHeapUsage < 1)) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-heap-usage", this.maxHeapUsage,
					"the threshold is a fraction of the heap and must be greater than 0 and less than 1",
					"Set " + PREFIX + ".max-heap-usage to a fraction such as 0.90, or set " + PREFIX
							+ ".enabled=false to turn the memory guard off.");
		}
	}

}
