package io.github.airesource.autoconfigure.usage;

import java.time.Duration;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.autoconfigure.ResourceStore;
import io.github.airesource.core.usage.UsageAdvisor;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Token usage and cost accounting.
 */
@ConfigurationProperties(UsageProperties.PREFIX)
public class UsageProperties implements InitializingBean {

	/** The prefix of the usage properties. */
	public static final String PREFIX = "ai.resource.usage";

	/**
	 * Whether every call's tokens and cost are recorded.
	 */
	private boolean enabled = true;

	/**
	 * Where usage counters live: memory (this instance) or redis (totals of every
	 * instance sharing the Redis).
	 */
	private ResourceStore store = ResourceStore.MEMORY;

	/**
	 * Most tenants and users whose usage is kept (and, separately, most models); idle
	 * ones are evicted beyond it. Each costs about 6 KB of heap.
	 */
	private int maxTrackedScopes = 10_000;

	/**
	 * How long fleet-wide totals stay in Redis after their last update (store redis).
	 */
	private Duration redisRetention = Duration.ofDays(30);

	/**
	 * Whether each call's prompt tokens are broken down by part (system prompt, history,
	 * new user message, tool definitions, tool results) in the ledger, and system prompts
	 * are tracked; counts the prompt once per call when no advisor before the usage
	 * advisor did.
	 */
	private boolean promptBreakdown = true;

	/**
	 * Position of the usage advisor in the chat client's advisor chain.
	 */
	private int order = UsageAdvisor.DEFAULT_ORDER;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public ResourceStore getStore() {
		return this.store;
	}

	public void setStore(ResourceStore store) {
		this.store = store;
	}

	public int getMaxTrackedScopes() {
		return this.maxTrackedScopes;
	}

	public void setMaxTrackedScopes(int maxTrackedScopes) {
		this.maxTrackedScopes = maxTrackedScopes;
	}

	public Duration getRedisRetention() {
		return this.redisRetention;
	}

	public void setRedisRetention(Duration redisRetention) {
		this.redisRetention = redisRetention;
	}

	public boolean isPromptBreakdown() {
		return this.promptBreakdown;
	}

	public void setPromptBreakdown(boolean promptBreakdown) {
		this.promptBreakdown = promptBreakdown;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.maxTrackedScopes < 1) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-tracked-scopes", this.maxTrackedScopes,
					"at least one scope must be tracked",
					"Set " + PREFIX + ".max-tracked-scopes to a positive number of tenants and users, such as 10000.");
		}
		if (this.redisRetention == null || this.redisRetention.isNegative() || this.redisRetention.isZero()) {
			throw new InvalidResourcePropertyException(PREFIX + ".redis-retention", this.redisRetention,
					"the retention must be positive", "Set " + PREFIX + ".redis-retention to a duration such as 30d.");
		}
	}

}
