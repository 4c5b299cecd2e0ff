package io.github.airesource.core.concurrency;

import java.time.Duration;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.lang.Nullable;

/**
 * Thrown when the concurrency limit refuses a call before it reaches the model: the wait
 * queue is full ({@value #MAX_QUEUE}), the call waited {@code max-wait} without a permit
 * ({@value #MAX_WAIT}), or its user's or tenant's cap kept it waiting or out
 * ({@value #PER_USER}, {@value #PER_TENANT}). {@link #limitName()} tells which.
 */
public class ConcurrencyLimitExceededException extends ResourceLimitException {

	/** The limit name when the wait queue was full. */
	public static final String MAX_QUEUE = "max-queue";

	/** The limit name when no permit came free within the longest wait. */
	public static final String MAX_WAIT = "max-wait";

	/** The limit name when the caller's user had as many calls running as allowed. */
	public static final String PER_USER = "per-user";

	/** The limit name when the caller's tenant had as many calls running as allowed. */
	public static final String PER_TENANT = "per-tenant";

	public ConcurrencyLimitExceededException(String message, String limitName, ScopeType scope,
			@Nullable Duration retryAfter) {
		super(message, limitName, scope, retryAfter);
	}

}
