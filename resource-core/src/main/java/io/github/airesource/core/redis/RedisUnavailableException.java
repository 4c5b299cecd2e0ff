package io.github.airesource.core.redis;

/**
 * Thrown when Redis does not answer within {@code ai.resource.redis.timeout} or fails.
 */
public class RedisUnavailableException extends RuntimeException {

	public RedisUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
