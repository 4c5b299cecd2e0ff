package io.github.airesource.autoconfigure.concurrency;

import java.time.Duration;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.concurrency.ConcurrencyAdvisor;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Concurrency limit: how many calls may reach the model at once, and how the others wait.
 */
@ConfigurationProperties(ConcurrencyProperties.PREFIX)
public class ConcurrencyProperties implements InitializingBean {

	/** The prefix of the concurrency properties. */
	public static final String PREFIX = "ai.resource.concurrency";

	/**
	 * Whether calls are limited to max-concurrent at once, the others waiting in a queue.
	 */
	private boolean enabled = false;

	/**
	 * Most calls that may run at once across the application.
	 */
	private int maxConcurrent = 5;

	/**
	 * Most calls that may wait for a permit; more are refused at once.
	 */
	private int maxQueue = 100;

	/**
	 * Longest a call waits for a permit before it is refused.
	 */
	private Duration maxWait = Duration.ofSeconds(30);

	/**
	 * Most calls one user may run at once; 0 for no cap.
	 */
	private int perUser = 0;

	/**
	 * Most calls one tenant may run at once; 0 for no cap.
	 */
	private int perTenant = 0;

	/**
	 * Permits that only calls with priority high may take.
	 */
	private int reservedForHigh = 0;

	/**
	 * Name of the bulkhead in Resilience4j's registry, endpoint and metrics.
	 */
	private String name = ConcurrencyBulkhead.DEFAULT_NAME;

	/**
	 * Position of the concurrency advisor in the chat client's advisor chain.
	 */
	private int order = ConcurrencyAdvisor.DEFAULT_ORDER;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getMaxConcurrent() {
		return this.maxConcurrent;
	}

	public void setMaxConcurrent(int maxConcurrent) {
		this.maxConcurrent = maxConcurrent;
	}

	public int getMaxQueue() {
		return this.maxQueue;
	}

	public void setMaxQueue(int maxQueue) {
		this.maxQueue = maxQueue;
	}

	public Duration getMaxWait() {
		return this.maxWait;
	}

	public void setMaxWait(Duration maxWait) {
		this.maxWait = maxWait;
	}

	public int getPerUser() {
		return this.perUser;
	}

	public void setPerUser(int perUser) {
		this.perUser = perUser;
	}

	public int getPerTenant() {
		return this.perTenant;
	}

	public void setPerTenant(int perTenant) {
		this.perTenant = perTenant;
	}

	public int getReservedForHigh() {
		return this.reservedForHigh;
	}

	public void setReservedForHigh(int reservedForHigh) {
		this.reservedForHigh = reservedForHigh;
	}

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.maxConcurrent < 1) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-concurrent", this.maxConcurrent,
					"at least one call must be able to run",
					"Set " + PREFIX + ".max-concurrent to 1 or more, such as 5.");
		}
		requireNotNegative("max-queue", this.maxQueue, "0 for no queue, or the most calls that may wait, such as 100");
		if (this.maxWait == null || this.maxWait.isNegative()) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-wait", this.maxWait, "a wait cannot be negative",
					"Set " + PREFIX + ".max-wait to a duration such as 30s, or 0s to refuse at once.");
		}
		requireNotNegative("per-user", this.perUser, "0 for no cap, or the most calls of one user, such as 2");
		requireNotNegative("per-tenant", this.perTenant, "0 for no cap, or the most calls of one tenant, such as 10");
		requireNotNegative("reserved-for-high", this.reservedForHigh,
				"0, or the permits only high-priority calls may take");
		if (this.reservedForHigh >= this.maxConcurrent) {
			throw new InvalidResourcePropertyException(PREFIX + ".reserved-for-high", this.reservedForHigh,
					"reserving every permit (max-concurrent is " + this.maxConcurrent
							+ ") would leave none for normal and low priority",
					"Set " + PREFIX + ".reserved-for-high below " + PREFIX + ".max-concurrent, such as 1.");
		}
		if (this.name == null || this.name.isBlank()) {
			throw new InvalidResourcePropertyException(PREFIX + ".name", this.name, "the bulkhead needs a name",
					"Set " + PREFIX + ".name to a name such as " + ConcurrencyBulkhead.DEFAULT_NAME + ".");
		}
	}

	private static void requireNotNegative(String property, int value, String advice) {
		if (value < 0) {
			throw new InvalidResourcePropertyException(PREFIX + "." + property, value, "it cannot be negative",
					"Set " + PREFIX + "." + property + " to " + advice + ".");
		}
	}

	/**
	 * Return a bulkhead builder with these settings.
	 * @return the builder, without a registry
	 */
	public ConcurrencyBulkhead.Builder toBulkhead() {
		return ConcurrencyBulkhead.builder()
			.name(this.name)
			.maxConcurrent(this.maxConcurrent)
			.maxQueue(this.maxQueue)
			.maxWait(this.maxWait)
			.perUser(this.perUser)
			.perTenant(this.perTenant)
			.reservedForHigh(this.reservedForHigh);
	}

}
