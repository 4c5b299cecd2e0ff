package io.github.airesource.core.guard;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.ScopeType;

/**
 * Thrown before any reservation or model call when a prompt has more tokens than
 * {@code ai.resource.guard.max-prompt-tokens} allows. Waiting does not help, so it
 * carries no retry-after; applications map it to 413 Content Too Large.
 */
public class PromptTooLargeException extends ResourceLimitException {

	/** The limit name this exception reports. */
	public static final String LIMIT_NAME = "max-prompt-tokens";

	private final int promptTokens;

	private final int maxPromptTokens;

	public PromptTooLargeException(int promptTokens, int maxPromptTokens) {
		this("The prompt has " + promptTokens + " tokens, more than the " + maxPromptTokens
				+ " allowed by ai.resource.guard.max-prompt-tokens", LIMIT_NAME, promptTokens, maxPromptTokens);
	}

	/**
	 * Create the exception for a limit other than the prompt guard's, such as the history
	 * limit that the system messages and the latest user message alone exceed.
	 * @param message the message, naming the property that set the limit
	 * @param limitName the name of the limit
	 * @param promptTokens the tokens of the part of the prompt that cannot be trimmed
	 * @param maxPromptTokens the limit
	 */
	public PromptTooLargeException(String message, String limitName, int promptTokens, int maxPromptTokens) {
		super(message, limitName, ScopeType.GLOBAL, null);
		this.promptTokens = promptTokens;
		this.maxPromptTokens = maxPromptTokens;
	}

	/**
	 * Return the tokens the prompt has.
	 * @return the count
	 */
	public int promptTokens() {
		return this.promptTokens;
	}

	/**
	 * Return the most tokens a prompt may have.
	 * @return the limit
	 */
	public int maxPromptTokens() {
		return this.maxPromptTokens;
	}

}
