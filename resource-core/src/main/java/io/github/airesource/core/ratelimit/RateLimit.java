package io.github.airesource.core.ratelimit;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.model.ModelNames;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * One named rate limit: how many requests, tokens or dollars a scope key may spend per
 * period.
 *
 * <p>
 * Kept with the generic cell rate algorithm (GCRA), a token bucket that stores one
 * timestamp per bucket: capacity comes back continuously at {@code limit / period}, and
 * the burst equals the limit, so a key that has been idle for a period may spend the
 * whole limit at once, and never more than the limit in any window of one period plus
 * what flowed back during it. Unlike fixed windows, there is no boundary at which twice
 * the limit gets through.
 *
 * @param name the configured name, such as {@code user-tpm}
 * @param scope what the limit is kept per
 * @param period the time in which the whole limit flows back
 * @param requests calls per period, or {@code null}
 * @param tokens prompt plus output tokens per period, or {@code null}
 * @param costNanos nano-dollars per period, or {@code null}
 * @param models the model families the limit covers, normalized; empty for all
 */
public record RateLimit(String name, ScopeType scope, Duration period, @Nullable Long requests, @Nullable Long tokens,
		@Nullable Long costNanos, Set<String> models) {

	public RateLimit {
		Assert.hasText(name, "name must not be empty");
		Assert.notNull(scope, "scope must not be null");
		Assert.isTrue(period != null && !period.isNegative() && !period.isZero(), "period must be positive");
		Assert.isTrue(period.toMillis() > 0, "period must be at least one millisecond");
		Assert.isTrue(requests != null || tokens != null || costNanos != null,
				() -> "rate limit '" + name + "' needs requests, tokens or cost");
		Assert.isTrue(positiveOrNull(requests) && positiveOrNull(tokens) && positiveOrNull(costNanos),
				() -> "rate limit '" + name + "' must have positive values");
		models = (models != null) ? models.stream().map(RateLimit::family).collect(Collectors.toUnmodifiableSet())
				: Set.of();
	}

	/**
	 * Create a limit for every model.
	 * @param name the name
	 * @param scope the scope
	 * @param period the period
	 * @param requests calls per period, or {@code null}
	 * @param tokens tokens per period, or {@code null}
	 * @param cost USD per period, or {@code null}
	 * @return the limit
	 */
	public static RateLimit of(String name, ScopeType scope, Duration period, @Nullable Long requests,
			@Nullable Long tokens, @Nullable BigDecimal cost) {
		return new RateLimit(name, scope, period, requests, tokens,
				(cost != null) ? BudgetMoney.toNanosCeiling(cost) : null, Set.of());
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
	 * Return the capacity per period of one dimension.
	 * @param dimension the dimension
	 * @return the capacity, or {@code null} when the limit does not count it
	 */
	@Nullable
	public Long capacity(RateDimension dimension) {
		return switch (dimension) {
			case REQUESTS -> this.requests;
			case TOKENS -> this.tokens;
			case COST -> this.costNanos;
		};
	}

	private static boolean positiveOrNull(@Nullable Long value) {
		return value == null || value > 0;
	}

	private static String family(String model) {
		return ModelNames.family(ModelNames.normalize(model));
	}

}
