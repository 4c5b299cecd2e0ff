package io.github.airesource.core.ratelimit;

/**
 * What a rate limit counts. A limit may count any of them; each is a bucket of its own.
 */
public enum RateDimension {

	/** Calls. */
	REQUESTS("requests"),

	/** Prompt plus output tokens. */
	TOKENS("tokens"),

	/** Nano-dollars (USD) at the model's prices. */
	COST("cost");

	private final String value;

	RateDimension(String value) {
		this.value = value;
	}

	/**
	 * Return the name used in properties and reports.
	 * @return the name, such as {@code tokens}
	 */
	public String value() {
		return this.value;
	}

}
