package io.github.airesource.core.redis;

import java.time.Duration;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.lang.Nullable;

/**
 * Thrown, under {@link FailureMode#FAIL_CLOSED}, when a call is refused because the store
 * of a limit that applies to it (Redis) failed or did not answer in time: the limit could
 * not be checked. Applications usually answer it with 503 Service Unavailable.
 */
public class StoreUnavailableException extends ResourceLimitException {

	public StoreUnavailableException(String message, String limitName, ScopeType scope, @Nullable Duration retryAfter,
			Throwable cause) {
		super(message, limitName, scope, retryAfter);
		initCause(cause);
	}

}
