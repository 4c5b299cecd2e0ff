package io.github.airesource.actuate.budget;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.airesource.actuate.budget.BudgetsDescriptor.LimitDescriptor;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.budget.BudgetStore.KeyUsage;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The {@code aibudgets} endpoint: every budget limit with its state in the current window
 * (the global key, or the most used keys), one key at
 * {@code /actuator/aibudgets/{limit}/{key}}, a {@code DELETE} there to reset the key's
 * use in this window, and a {@code POST} with {@code extraTokens} and/or
 * {@code extraCost} to grant it more for this window. Changes go to the store, so they
 * hold on every instance sharing it from the next call on. Shows limit names and scope
 * ids only.
 */
@Endpoint(id = "aibudgets")
public class BudgetsEndpoint {

	/** How many keys per limit the report lists unless asked for another number. */
	public static final int DEFAULT_TOP = 10;

	private static final int MAX_TOP = 1000;

	private final Budgets budgets;

	public BudgetsEndpoint(Budgets budgets) {
		this.budgets = budgets;
	}

	/**
	 * Report every limit.
	 * @param top how many keys per limit to list (default 10, at most 1000)
	 * @return the report
	 */
	@ReadOperation
	public BudgetsDescriptor budgets(@Nullable Integer top) {
		int count = (top != null) ? Math.max(0, Math.min(top, MAX_TOP)) : DEFAULT_TOP;
		List<LimitDescriptor> limits = new ArrayList<>();
		for (BudgetLimit limit : this.budgets.limits()) {
			List<BudgetKeyDescriptor> keys = new ArrayList<>();
			String error = null;
			try {
				if (limit.scope() == ScopeType.GLOBAL) {
					keys.add(describe(limit, CallScope.GLOBAL_ID));
				}
				else {
					for (KeyUsage key : this.budgets.store().top(limit, count)) {
						keys.add(BudgetKeyDescriptor.of(limit.name(), key.key(),
								this.budgets.allowanceOf(limit, key.key()), key.usage()));
					}
				}
			}
			catch (RedisUnavailableException ex) {
				error = ex.getMessage();
			}
			limits.add(new LimitDescriptor(limit.name(), limit.scope().value(), limit.period(),
					limit.amount().maxTokens(), limit.amount().maxCost(), List.copyOf(limit.models()),
					limit.onExhausted().name().toLowerCase(Locale.ROOT), limit.fallbackModel(), limit.fallbackAt(),
					limit.overrides().size(), keys, error));
		}
		return new BudgetsDescriptor(limits);
	}

	/**
	 * Report one key of one limit.
	 * @param limit the limit's name
	 * @param key the scope key ({@code global} for a global limit)
	 * @return the state, or {@code null} (404) when no such limit is configured
	 */
	@ReadOperation
	@Nullable
	public BudgetKeyDescriptor key(@Selector String limit, @Selector String key) {
		return this.budgets.limit(limit).map((found) -> describe(found, key)).orElse(null);
	}

	/**
	 * Forget a key's use and grants in the current window; calls in flight keep their
	 * reservations.
	 * @param limit the limit's name
	 * @param key the scope key
	 * @return the key's state afterwards, or {@code null} (404) for an unknown limit
	 */
	@DeleteOperation
	@Nullable
	public BudgetKeyDescriptor reset(@Selector String limit, @Selector String key) {
		return this.budgets.limit(limit).map((found) -> {
			this.budgets.store().reset(found, key);
			return describe(found, key);
		}).orElse(null);
	}

	/**
	 * Allow a key more in the current window only.
	 * @param limit the limit's name
	 * @param key the scope key
	 * @param extraTokens tokens to add, may be {@code null}
	 * @param extraCost USD to add, may be {@code null}
	 * @return the key's state afterwards, or {@code null} (404) for an unknown limit
	 * @throws InvalidEndpointRequestException (400) for a negative amount
	 */
	@WriteOperation
	@Nullable
	public BudgetKeyDescriptor grant(@Selector String limit, @Selector String key, @Nullable Long extraTokens,
			@Nullable BigDecimal extraCost) {
		if ((extraTokens != null && extraTokens < 0) || (extraCost != null && extraCost.signum() < 0)) {
			// Answered 400 Bad Request, as a request Actuator cannot bind is.
			throw new InvalidEndpointRequestException("A grant cannot be negative: use DELETE to reset a key",
					"extraTokens and extraCost must be 0 or more");
		}
		return this.budgets.limit(limit).map((found) -> {
			this.budgets.store()
				.grant(found, key, (extraTokens != null) ? extraTokens : 0,
						(extraCost != null) ? BudgetMoney.toNanosCeiling(extraCost) : 0);
			return describe(found, key);
		}).orElse(null);
	}

	private BudgetKeyDescriptor describe(BudgetLimit limit, String key) {
		BudgetAmount allowance = this.budgets.allowanceOf(limit, key);
		try {
			return BudgetKeyDescriptor.of(limit.name(), key, allowance, this.budgets.store().usage(limit, key));
		}
		catch (RedisUnavailableException ex) {
			return BudgetKeyDescriptor.failed(limit.name(), key, allowance, ex.getMessage());
		}
	}

}
