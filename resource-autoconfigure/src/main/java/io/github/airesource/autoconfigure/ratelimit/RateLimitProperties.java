package io.github.airesource.autoconfigure.ratelimit;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.autoconfigure.ResourceStore;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Request, token and cost rate limits: named limits per scope and period, kept with GCRA
 * buckets, and whether the model providers' own rate-limit answers hold calls.
 */
@ConfigurationProperties(RateLimitProperties.PREFIX)
public class RateLimitProperties implements InitializingBean {

	/** The prefix of the rate-limit properties. */
	public static final String PREFIX = "ai.resource.rate-limit";

	/**
	 * Whether calls are kept within the configured rate limits.
	 */
	private boolean enabled = false;

	/**
	 * Where rate-limit buckets live: memory (this instance) or redis (shared by every
	 * instance).
	 */
	private ResourceStore store = ResourceStore.MEMORY;

	/**
	 * How long a call may wait for capacity (or for a provider's reset) before it is
	 * refused; 0s refuses at once.
	 */
	private Duration maxWait = Duration.ZERO;

	/**
	 * Whether a model's 429 Retry-After and x-ratelimit-remaining-* of 0 hold further
	 * calls to that model until the provider's reset.
	 */
	private boolean providerFeedback = true;

	/**
	 * Output tokens charged up front to token and cost limits when the request sets no
	 * max tokens.
	 */
	private int defaultOutputReservation = RateLimitAdvisor.DEFAULT_OUTPUT_RESERVATION;

	/**
	 * Position of the rate-limit advisor in the chat client's advisor chain.
	 */
	private int order = RateLimitAdvisor.DEFAULT_ORDER;

	/**
	 * Rate limits by a name of your choice; a call must fit every limit that covers it.
	 */
	private Map<String, Limit> limits = new LinkedHashMap<>();

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

	public Duration getMaxWait() {
		return this.maxWait;
	}

	public void setMaxWait(Duration maxWait) {
		this.maxWait = maxWait;
	}

	public boolean isProviderFeedback() {
		return this.providerFeedback;
	}

	public void setProviderFeedback(boolean providerFeedback) {
		this.providerFeedback = providerFeedback;
	}

	public int getDefaultOutputReservation() {
		return this.defaultOutputReservation;
	}

	public void setDefaultOutputReservation(int defaultOutputReservation) {
		this.defaultOutputReservation = defaultOutputReservation;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	public Map<String, Limit> getLimits() {
		return this.limits;
	}

	public void setLimits(Map<String, Limit> limits) {
		this.limits = limits;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.maxWait == null || this.maxWait.isNegative()) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-wait", this.maxWait, "a wait cannot be negative",
					"Set " + PREFIX + ".max-wait to how long a call may wait for capacity, such as 2s, or 0s.");
		}
		if (this.defaultOutputReservation < 0) {
			throw new InvalidResourcePropertyException(PREFIX + ".default-output-reservation",
					this.defaultOutputReservation, "a reservation cannot be negative",
					"Set " + PREFIX + ".default-output-reservation to the output tokens to charge, such as 1024.");
		}
		this.limits.forEach((name, limit) -> limit.validate(PREFIX + ".limits." + name));
	}

	/**
	 * Return the limits for the rate-limit advisor.
	 * @return the limits, in configuration order
	 */
	public List<RateLimit> toLimits() {
		List<RateLimit> result = new ArrayList<>();
		this.limits.forEach((name, limit) -> result.add(limit.toLimit(name)));
		return result;
	}

	/**
	 * A rate limit: what a scope key may spend per period.
	 */
	public static class Limit {

		/**
		 * What the limit is kept per: global, tenant, user or conversation.
		 */
		private String scope = "global";

		/**
		 * Time in which the whole limit flows back; capacity returns continuously, not at
		 * window boundaries.
		 */
		private Duration period = Duration.ofMinutes(1);

		/**
		 * Most calls per period.
		 */
		private Long requests;

		/**
		 * Most tokens per period: the prompt plus the output reservation up front,
		 * reconciled with the actual use afterwards.
		 */
		private Long tokens;

		/**
		 * Most USD per period, priced with ai.resource.pricing.
		 */
		private BigDecimal cost;

		/**
		 * Models the limit covers, matched by family (gpt-4o covers gpt-4o-2024-08-06);
		 * empty for every model.
		 */
		private List<String> models = new ArrayList<>();

		public String getScope() {
			return this.scope;
		}

		public void setScope(String scope) {
			this.scope = scope;
		}

		public Duration getPeriod() {
			return this.period;
		}

		public void setPeriod(Duration period) {
			this.period = period;
		}

		public Long getRequests() {
			return this.requests;
		}

		public void setRequests(Long requests) {
			this.requests = requests;
		}

		public Long getTokens() {
			return this.tokens;
		}

		public void setTokens(Long tokens) {
			this.tokens = tokens;
		}

		public BigDecimal getCost() {
			return this.cost;
		}

		public void setCost(BigDecimal cost) {
			this.cost = cost;
		}

		public List<String> getModels() {
			return this.models;
		}

		public void setModels(List<String> models) {
			this.models = models;
		}

		void validate(String property) {
			if (this.requests == null && this.tokens == null && this.cost == null) {
				throw new InvalidResourcePropertyException(property, null,
						"a rate limit needs requests, tokens, cost or several of them",
						"Set " + property + ".requests (calls per period), " + property
								+ ".tokens (tokens per period) or " + property + ".cost (USD per period).");
			}
			if (this.requests != null && this.requests <= 0) {
				throw positive(property + ".requests", this.requests, "calls per period, such as 60");
			}
			if (this.tokens != null && this.tokens <= 0) {
				throw positive(property + ".tokens", this.tokens, "tokens per period, such as 100000");
			}
			if (this.cost != null && BudgetMoney.toNanosCeiling(this.cost.max(BigDecimal.ZERO)) <= 0) {
				throw positive(property + ".cost", this.cost, "USD per period, such as 2.00");
			}
			if (this.period == null || this.period.toMillis() <= 0) {
				throw new InvalidResourcePropertyException(property + ".period", this.period,
						"the period must be at least one millisecond",
						"Set " + property + ".period to a duration such as 1s, 1m or 1h.");
			}
			scopeType(property);
		}

		ScopeType scopeType(String property) {
			String value = (this.scope != null) ? this.scope.trim().toUpperCase(Locale.ROOT).replace('-', '_') : "";
			for (ScopeType type : ScopeType.values()) {
				if (type.name().equals(value)) {
					return type;
				}
			}
			throw new InvalidResourcePropertyException(property + ".scope", this.scope, "there is no such scope",
					"Set " + property + ".scope to one of "
							+ Arrays.stream(ScopeType.values()).map(ScopeType::value).collect(Collectors.joining(", "))
							+ ".");
		}

		RateLimit toLimit(String name) {
			return new RateLimit(name, scopeType(PREFIX + ".limits." + name), this.period, this.requests, this.tokens,
					(this.cost != null) ? BudgetMoney.toNanosCeiling(this.cost) : null, Set.copyOf(this.models));
		}

		private static InvalidResourcePropertyException positive(String property, Object value, String example) {
			return new InvalidResourcePropertyException(property, value, "a rate limit must be positive", "Set "
					+ property + " to more than 0 " + example + ", or remove it so the limit does not count it.");
		}

	}

}
