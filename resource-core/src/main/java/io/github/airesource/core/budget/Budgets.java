package io.github.airesource.core.budget;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * The configured budget limits with their store: what the budget advisor enforces and
 * what the {@code aibudgets} endpoint, the {@code aibudget} health indicator and the
 * {@code ai.resource.budget.used} meter show. A key's allowance is the limit's, with the
 * caps of its YAML override, then the caps a {@link BudgetLimitResolver} returns,
 * replacing those before them.
 */
public final class Budgets {

	private static final Log logger = LogFactory.getLog(Budgets.class);

	private final Map<String, BudgetLimit> limits;

	private final BudgetStore store;

	@Nullable
	private final BudgetLimitResolver resolver;

	/**
	 * Create the budgets.
	 * @param limits the limits, in configuration order; names must be unique
	 * @param store where their counters live
	 * @param resolver supplies allowances kept outside the configuration, may be
	 * {@code null}
	 */
	public Budgets(List<BudgetLimit> limits, BudgetStore store, @Nullable BudgetLimitResolver resolver) {
		Assert.notNull(limits, "limits must not be null");
		Assert.notNull(store, "store must not be null");
		Map<String, BudgetLimit> byName = new LinkedHashMap<>();
		for (BudgetLimit limit : limits) {
			Assert.isNull(byName.put(limit.name(), limit), () -> "two limits are named '" + limit.name() + "'");
		}
		this.limits = byName;
		this.store = store;
		this.resolver = resolver;
	}

	/**
	 * Return the limits in configuration order.
	 * @return the limits
	 */
	public List<BudgetLimit> limits() {
		return List.copyOf(this.limits.values());
	}

	/**
	 * Return a limit by name.
	 * @param name the name
	 * @return the limit, if configured
	 */
	public Optional<BudgetLimit> limit(String name) {
		return Optional.ofNullable(this.limits.get(name));
	}

	/**
	 * Return the store.
	 * @return the store
	 */
	public BudgetStore store() {
		return this.store;
	}

	/**
	 * Return the allowance of one key.
	 * @param limit the limit
	 * @param key the scope key
	 * @return the allowance; the configured one when the resolver fails
	 */
	public BudgetAmount allowanceOf(BudgetLimit limit, String key) {
		BudgetAmount configured = limit.amountFor(key);
		if (this.resolver == null) {
			return configured;
		}
		try {
			return configured.overriddenBy(this.resolver.resolve(limit, key));
		}
		catch (RuntimeException ex) {
			logger.warn("BudgetLimitResolver failed for budget '" + limit.name() + "' and key '" + key
					+ "'; the configured allowance applies", ex);
			return configured;
		}
	}

}
