package io.github.airesource.core.budget;

import java.time.Duration;
import java.time.Instant;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.lang.Nullable;

/**
 * Thrown before the model call when a budget limit cannot fit the call (and the limit
 * does not send it to a fallback model), or when a cost limit covers a model without a
 * price.
 */
public class BudgetExceededException extends ResourceLimitException {

	private final String key;

	@Nullable
	private final Instant resetsAt;

	public BudgetExceededException(String message, String limitName, ScopeType scope, String key,
			@Nullable Instant resetsAt, @Nullable Duration retryAfter) {
		super(message, limitName, scope, retryAfter);
		this.key = key;
		this.resetsAt = resetsAt;
	}

	/**
	 * Return the scope key whose budget is used up, such as the user id.
	 * @return the key
	 */
	public String key() {
		return this.key;
	}

	/**
	 * Return when the limit's window ends and the key's budget starts afresh.
	 * @return the moment, or {@code null} when waiting would not help (a model without a
	 * price)
	 */
	@Nullable
	public Instant resetsAt() {
		return this.resetsAt;
	}

}
