package io.github.airesource.core.scope;

/**
 * The levels at which usage is accounted and limits are kept.
 */
public enum ScopeType {

	/** Everything the application does, one key. */
	GLOBAL,

	/** One key per tenant. */
	TENANT,

	/** One key per user. */
	USER,

	/** One key per chat-memory conversation. */
	CONVERSATION;

	/**
	 * Return the lower-case name used in configuration, metrics and endpoints.
	 * @return the name, such as {@code user}
	 */
	public String value() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

}
