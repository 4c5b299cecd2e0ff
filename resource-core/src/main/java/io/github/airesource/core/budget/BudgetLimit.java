package io.github.airesource.core.budget;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.airesource.core.model.ModelNames;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * One named budget limit: how much a scope key may use per period.
 *
 * <p>
 * Periods are fixed windows aligned to the UTC epoch: a {@code 1d} window runs from
 * midnight to midnight UTC, a {@code 1h} window from the full hour. A limit with a
 * {@code models} list applies only to calls to those models, matched by family as prices
 * are ({@code gpt-4o} covers {@code gpt-4o-2024-08-06}); an empty list covers every
 * model.
 *
 * @param name the configured name, such as {@code per-user-daily}
 * @param scope what the limit is kept per
 * @param period the length of one window
 * @param amount the default allowance per key and window
 * @param models the model families the limit covers, normalized; empty for all
 * @param onExhausted what happens to a call the limit cannot fit
 * @param fallbackModel the model calls go to when the limit sends them elsewhere, or
 * {@code null}
 * @param fallbackAt the used fraction from which calls go to the fallback model before
 * the budget is gone; 0 means only when it cannot fit the call
 * @param overrides allowances of particular keys, replacing the caps they set
 */
public record BudgetLimit(String name, ScopeType scope, Duration period, BudgetAmount amount, Set<String> models,
		ExhaustedAction onExhausted, @Nullable String fallbackModel, double fallbackAt,
		Map<String, BudgetAmount> overrides) {

	public BudgetLimit {
		Assert.hasText(name, "name must not be empty");
		Assert.notNull(scope, "scope must not be null");
		Assert.isTrue(period != null && !period.isNegative() && !period.isZero(), "period must be positive");
		Assert.isTrue(period.toMillis() > 0, "period must be at least one millisecond");
		Assert.notNull(amount, "amount must not be null");
		Assert.isTrue(amount.maxTokens() != null || amount.maxCost() != null,
				() -> "limit '" + name + "' needs max-tokens or max-cost");
		Assert.notNull(onExhausted, "onExhausted must not be null");
		Assert.isTrue(onExhausted != ExhaustedAction.FALLBACK_MODEL || StringUtils.hasText(fallbackModel),
				() -> "limit '" + name + "' falls back to a model but names none");
		Assert.isTrue(fallbackAt >= 0 && fallbackAt < 1, "fallbackAt must be at least 0 and below 1");
		Assert.isTrue(fallbackAt == 0 || StringUtils.hasText(fallbackModel),
				() -> "limit '" + name + "' has fallback-at but no fallback model");
		models = (models != null) ? models.stream().map(BudgetLimit::family).collect(Collectors.toUnmodifiableSet())
				: Set.of();
		overrides = (overrides != null) ? Map.copyOf(overrides) : Map.of();
	}

	/**
	 * Create a limit that rejects calls it cannot fit, for every model, without
	 * overrides.
	 * @param name the name
	 * @param scope the scope
	 * @param period the period
	 * @param amount the allowance
	 * @return the limit
	 */
	public static BudgetLimit of(String name, ScopeType scope, Duration period, BudgetAmount amount) {
		return new BudgetLimit(name, scope, period, amount, Set.of(), ExhaustedAction.REJECT, null, 0, Map.of());
	}

	/**
	 * Whether the limit covers calls to a model.
	 * @param model the model the call goes to
	 * @return whether it is counted against this limit
	 */
	public boolean appliesTo(String model) {
		return this.models.isEmpty() || this.models.contains(family(model));
	}

	/**
	 * Return the allowance of one key from the YAML overrides.
	 * @param key the scope key
	 * @return the allowance
	 */
	public BudgetAmount amountFor(String key) {
		return this.amount.overriddenBy(this.overrides.get(key));
	}

	/**
	 * Whether the limit caps cost in some allowance (its default or an override).
	 * @return whether calls it covers need a price
	 */
	public boolean capsCost() {
		return this.amount.maxCost() != null
				|| this.overrides.values().stream().anyMatch((override) -> override.maxCost() != null);
	}

	private static String family(String model) {
		return ModelNames.family(ModelNames.normalize(model));
	}

}
