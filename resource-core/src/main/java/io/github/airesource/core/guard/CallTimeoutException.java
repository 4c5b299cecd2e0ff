package io.github.airesource.core.guard;

import java.time.Duration;

/**
 * Thrown when a call, or a whole stream, takes longer than
 * {@code ai.resource.guard.timeout}. Not a {@code ResourceLimitException}: nothing was
 * refused for lack of capacity, the provider was too slow, so it is recorded as an error
 * and maps to 504 rather than 429.
 */
public class CallTimeoutException extends RuntimeException {

	private final Duration timeout;

	public CallTimeoutException(Duration timeout) {
		super("The model call did not complete within " + timeout + " (ai.resource.guard.timeout)");
		this.timeout = timeout;
	}

	/**
	 * Return the bound the call exceeded.
	 * @return the timeout
	 */
	public Duration timeout() {
		return this.timeout;
	}

}
