package io.github.airesource.autoconfigure.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.autoconfigure.ResourceStore;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.ExhaustedAction;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;

/**
 * Token and cost budgets: named limits per scope and period, reserved before each call
 * and settled to its actual use.
 */
@ConfigurationProperties(BudgetProperties.PREFIX)
public class BudgetProperties implements InitializingBean {

	/** The prefix of the budget properties. */
	public static final String PREFIX = "ai.resource.budget";

	/**
	 * Whether calls are kept within the configured budget limits.
	 */
	private boolean enabled = false;

	/**
	 * Where budget counters live: memory (this instance) or redis (shared by every
	 * instance).
	 */
	private ResourceStore store = ResourceStore.MEMORY;

	/**
	 * Output tokens reserved for a call whose request sets no max tokens.
	 */
	private int defaultOutputReservation = BudgetAdvisor.DEFAULT_OUTPUT_RESERVATION;

	/**
	 * How long a reservation holds without being settled, so that the reservations of an
	 * instance that died free themselves.
	 */
	private Duration reservationTtl = BudgetAdvisor.DEFAULT_RESERVATION_TTL;

	/**
	 * Position of the budget advisor in the chat client's advisor chain.
	 */
	private int order = BudgetAdvisor.DEFAULT_ORDER;

	/**
	 * Budget limits by a name of your choice; a call must fit every limit that covers it.
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

	public int getDefaultOutputReservation() {
		return this.defaultOutputReservation;
	}

	public void setDefaultOutputReservation(int defaultOutputReservation) {
		this.defaultOutputReservation = defaultOutputReservation;
	}

	public Duration getReservationTtl() {
		return this.reservationTtl;
	}

	public void setReservationTtl(Duration reservationTtl) {
		this.reservationTtl = reservationTtl;
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
		if (this.defaultOutputReservation < 0) {
			throw new InvalidResourcePropertyException(PREFIX + ".default-output-reservation",
					this.defaultOutputReservation, "a reservation cannot be negative",
					"Set " + PREFIX + ".default-output-reservation to the output tokens to reserve, such as 1024.");
		}
		if (this.reservationTtl == null || this.reservationTtl.isNegative() || this.reservationTtl.isZero()) {
			throw new InvalidResourcePropertyException(PREFIX + ".reservation-ttl", this.reservationTtl,
					"the lease of a reservation must be positive",
					"Set " + PREFIX + ".reservation-ttl to a duration longer than your slowest call, such as 5m.");
		}
		this.limits.forEach((name, limit) -> limit.validate(PREFIX + ".limits." + name));
	}

	/**
	 * Return the limits for the budget advisor.
	 * @return the limits, in configuration order
	 */
	public List<BudgetLimit> toLimits() {
		List<BudgetLimit> result = new ArrayList<>();
		this.limits.forEach((name, limit) -> result.add(limit.toLimit(name)));
		return result;
	}

	/**
	 * A budget limit: an allowance per key and window, and how it applies.
	 */
	public static class Limit extends Amount {

		/**
		 * What the limit is kept per: global, tenant, user or conversation.
		 */
		private ScopeType scope = ScopeType.USER;

		/**
		 * Length of one budget window; windows are fixed and aligned to UTC, so 1d runs
		 * from midnight to midnight UTC.
		 */
		private Duration period = Duration.ofDays(1);

		/**
		 * Models the limit covers, matched by family (gpt-4o covers gpt-4o-2024-08-06);
		 * empty for every model.
		 */
		private List<String> models = new ArrayList<>();

		/**
		 * What happens to a call the limit cannot fit: reject, or fallback-model to send
		 * it to the fallback model when that fits.
		 */
		private ExhaustedAction onExhausted = ExhaustedAction.REJECT;

		/**
		 * Model that calls go to when this limit sends them elsewhere.
		 */
		private String fallbackModel;

		/**
		 * Used fraction of the allowance from which calls go to the fallback model before
		 * the budget is gone; 0 sends them only when the budget cannot fit them.
		 */
		private double fallbackAt = 0;

		/**
		 * Allowances of particular keys (a tenant's plan, say), replacing the caps they
		 * set.
		 */
		private Map<String, Amount> overrides = new LinkedHashMap<>();

		public ScopeType getScope() {
			return this.scope;
		}

		public void setScope(ScopeType scope) {
			this.scope = scope;
		}

		public Duration getPeriod() {
			return this.period;
		}

		public void setPeriod(Duration period) {
			this.period = period;
		}

		public List<String> getModels() {
			return this.models;
		}

		public void setModels(List<String> models) {
			this.models = models;
		}

		public ExhaustedAction getOnExhausted() {
			return this.onExhausted;
		}

		public void setOnExhausted(ExhaustedAction onExhausted) {
			this.onExhausted = onExhausted;
		}

		public String getFallbackModel() {
			return this.fallbackModel;
		}

		public void setFallbackModel(String fallbackModel) {
			this.fallbackModel = fallbackModel;
		}

		public double getFallbackAt() {
			return this.fallbackAt;
		}

		public void setFallbackAt(double fallbackAt) {
			this.fallbackAt = fallbackAt;
		}

		public Map<String, Amount> getOverrides() {
			return this.overrides;
		}

		public void setOverrides(Map<String, Amount> overrides) {
			this.overrides = overrides;
		}

		void validate(String property) {
			if (getMaxTokens() == null && getMaxCost() == null) {
				throw new InvalidResourcePropertyException(property, null, "a limit needs max-tokens, max-cost or both",
						"Set " + property + ".max-tokens (tokens per period) or " + property
								+ ".max-cost (USD per period).");
			}
			validateAmount(property);
			if (this.period == null || this.period.toMillis() <= 0) {
				throw new InvalidResourcePropertyException(property + ".period", this.period,
						"the period must be positive",
						"Set " + property + ".period to a duration such as 1d, 1h or 30d.");
			}
			if (this.onExhausted == null) {
				throw new InvalidResourcePropertyException(property + ".on-exhausted", null,
						"the limit must say what happens when it is used up",
						"Set " + property + ".on-exhausted to reject or fallback-model.");
			}
			if (this.fallbackAt < 0 || this.fallbackAt >= 1) {
				throw new InvalidResourcePropertyException(property + ".fallback-at", this.fallbackAt,
						"the fraction must be at least 0 and below 1",
						"Set " + property + ".fallback-at to a fraction such as 0.9, or 0 to fall back only when "
								+ "the budget is used up.");
			}
			boolean needsFallback = this.onExhausted == ExhaustedAction.FALLBACK_MODEL || this.fallbackAt > 0;
			if (needsFallback && !StringUtils.hasText(this.fallbackModel)) {
				throw new InvalidResourcePropertyException(property + ".fallback-model", null,
						"on-exhausted: fallback-model and fallback-at need a model to fall back to",
						"Set " + property + ".fallback-model to a cheaper model, such as gpt-4o-mini.");
			}
			this.overrides.forEach((key, amount) -> amount.validateAmount(property + ".overrides." + key));
		}

		BudgetLimit toLimit(String name) {
			Map<String, BudgetAmount> amounts = new LinkedHashMap<>();
			this.overrides.forEach((key, amount) -> amounts.put(key, amount.toAmount()));
			return new BudgetLimit(name, this.scope, this.period, toAmount(), Set.copyOf(this.models), this.onExhausted,
					StringUtils.hasText(this.fallbackModel) ? this.fallbackModel : null, this.fallbackAt, amounts);
		}

	}

	/**
	 * An allowance per key and window.
	 */
	public static class Amount {

		/**
		 * Most tokens (prompt plus completion) per key and window.
		 */
		private Long maxTokens;

		/**
		 * Most USD per key and window, priced with ai.resource.pricing.
		 */
		private BigDecimal maxCost;

		public Long getMaxTokens() {
			return this.maxTokens;
		}

		public void setMaxTokens(Long maxTokens) {
			this.maxTokens = maxTokens;
		}

		public BigDecimal getMaxCost() {
			return this.maxCost;
		}

		public void setMaxCost(BigDecimal maxCost) {
			this.maxCost = maxCost;
		}

		BudgetAmount toAmount() {
			return new BudgetAmount(this.maxTokens, this.maxCost);
		}

		void validateAmount(String property) {
			if (this.maxTokens != null && this.maxTokens < 0) {
				throw new InvalidResourcePropertyException(property + ".max-tokens", this.maxTokens,
						"a budget cannot be negative",
						"Set " + property + ".max-tokens to 0 or more tokens per period.");
			}
			if (this.maxCost != null && this.maxCost.signum() < 0) {
				throw new InvalidResourcePropertyException(property + ".max-cost", this.maxCost,
						"a budget cannot be negative", "Set " + property + ".max-cost to 0 or more USD per period.");
			}
		}

	}

}
