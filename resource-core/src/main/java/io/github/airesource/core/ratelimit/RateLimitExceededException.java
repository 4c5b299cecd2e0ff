package io.github.airesource.core.ratelimit;

import java.time.Duration;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.lang.Nullable;

/**
 * Thrown before the model call when a rate limit has no capacity for the call within
 * {@code max-wait}, or when the model's provider asked us to hold calls to it.
 */
public class RateLimitExceededException extends ResourceLimitException {

	private final String key;

	@Nullable
	private final RateDimension dimension;

	public RateLimitExceededException(String message, String limitName, ScopeType scope, String key,
			@Nullable RateDimension dimension, @Nullable Duration retryAfter) {
		super(message, limitName, scope, retryAfter);
		this.key = key;
		this.dimension = dimension;
	}

	/**
	 * Return the scope key that is out of capacity, such as the user id.
	 * @return the key
	 */
	public String key() {
		return this.key;
	}

	/**
	 * Return what ran out: requests, tokens or cost.
	 * @return the dimension, or {@code null} for a hold the provider imposed
	 */
	@Nullable
	public RateDimension dimension() {
		return this.dimension;
	}

}
