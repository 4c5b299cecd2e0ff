package io.github.airesource.core.alerts;

import java.time.Instant;

import org.springframework.lang.Nullable;

/**
 * A budget key's burn-rate forecast: at the last hour's rate, when is the limit
 * exhausted.
 *
 * @param limit the limit's name
 * @param key the scope key ({@code global} for a global limit)
 * @param usedFraction used or reserved share of the allowance now
 * @param tokensPerHour tokens the key spent in the last hour
 * @param costPerHour USD the key spent in the last hour
 * @param hoursToExhaustion hours until the allowance is used at that rate, {@code 0} when
 * it already is, {@code null} when nothing was spent in the last hour
 * @param resetsAt when the limit's window resets
 * @param exhaustedBeforeReset whether the forecast exhaustion comes before the reset
 * @param message the forecast in words
 */
public record BudgetForecast(String limit, String key, double usedFraction, long tokensPerHour, double costPerHour,
		@Nullable Double hoursToExhaustion, Instant resetsAt, boolean exhaustedBeforeReset, String message) {
}
