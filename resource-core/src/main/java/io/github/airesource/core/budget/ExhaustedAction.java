package io.github.airesource.core.budget;

/**
 * What happens to a call that a budget limit cannot fit ({@code on-exhausted}).
 */
public enum ExhaustedAction {

	/** Refuse the call with a {@link BudgetExceededException}. */
	REJECT,

	/**
	 * Send the call to the limit's fallback model when that fits; refuse it otherwise.
	 */
	FALLBACK_MODEL

}
