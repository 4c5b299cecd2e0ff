package io.github.airesource.core.redis;

import java.util.concurrent.CompletionException;

/**
 * Thrown when Redis does not answer within {@code ai.resource.redis.timeout} or fails.
 */
public class RedisUnavailableException extends RuntimeException {

	public RedisUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Return the failure of a command that was not awaited as this exception: itself when
	 * it is one (also wrapped in a {@link CompletionException} by a dependent stage),
	 * else one that wraps it.
	 * @param failure what the command's future completed with
	 * @return the exception
	 */
	public static RedisUnavailableException of(Throwable failure) {
		Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
				: failure;
		return (cause instanceof RedisUnavailableException unavailable) ? unavailable
				: new RedisUnavailableException("Redis failed: " + cause, cause);
	}

}
