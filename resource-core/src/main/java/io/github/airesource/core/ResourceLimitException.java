package io.github.airesource.core;

import java.time.Duration;
import java.util.Optional;

import io.github.airesource.core.scope.ScopeType;
import org.springframework.lang.Nullable;

/**
 * Thrown when a call is refused because a resource limit would be exceeded. The usage
 * advisor records such calls with the outcome {@code rejected}.
 */
public class ResourceLimitException extends RuntimeException {

	private final String limitName;

	private final ScopeType scope;

	@Nullable
	private final Duration retryAfter;

	public ResourceLimitException(String message, String limitName, ScopeType scope, @Nullable Duration retryAfter) {
		super(message);
		this.limitName = limitName;
		this.scope = scope;
		this.retryAfter = retryAfter;
	}

	/**
	 * Return the configured name of the limit that was hit.
	 * @return the limit name
	 */
	public String limitName() {
		return this.limitName;
	}

	/**
	 * Return the scope the limit applies to.
	 * @return the scope type
	 */
	public ScopeType scope() {
		return this.scope;
	}

	/**
	 * Return how long the caller should wait before trying again, when known.
	 * @return the suggested wait
	 */
	public Optional<Duration> retryAfter() {
		return Optional.ofNullable(this.retryAfter);
	}

}
