package io.github.airesource.core.redis;

/**
 * What budgets and rate limits do when their shared store fails or does not answer within
 * {@code ai.resource.redis.timeout} ({@code ai.resource.redis.failure-mode}). Either way
 * the decision is made at once and counted; when the store answers again the next call
 * uses it.
 */
public enum FailureMode {

	/** Let the call through without the limit, and count it. */
	FAIL_OPEN,

	/** Refuse the call with a {@link StoreUnavailableException}. */
	FAIL_CLOSED

}
