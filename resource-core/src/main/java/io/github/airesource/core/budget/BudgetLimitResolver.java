package io.github.airesource.core.budget;

import org.springframework.lang.Nullable;

/**
 * Supplies the allowance of a key when it lives outside the configuration, such as a
 * tenant's plan in the application's database. Called for every call that a limit covers,
 * so implementations should cache; a {@code null} answer keeps the configured allowance
 * (with its YAML overrides). What it returns replaces the caps it sets.
 */
@FunctionalInterface
public interface BudgetLimitResolver {

	/**
	 * Return the allowance of a key.
	 * @param limit the limit
	 * @param key the scope key
	 * @return the allowance, or {@code null} for the configured one
	 */
	@Nullable
	BudgetAmount resolve(BudgetLimit limit, String key);

}
