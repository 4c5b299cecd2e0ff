package io.github.airesource.core.ratelimit;

/**
 * Why the rate-limit advisor refused a call, for the counts it keeps since start.
 */
public enum RateLimitRejection {

	/** A configured limit had no capacity within {@code max-wait}. */
	LIMIT("limit"),

	/** The model's provider asked us to hold calls longer than {@code max-wait}. */
	PROVIDER("provider"),

	/** The store failed and the failure mode is fail-closed. */
	STORE_UNAVAILABLE("store-unavailable"),

	/** A cost limit covers a model without a price. */
	UNPRICED("unpriced");

	private final String value;

	RateLimitRejection(String value) {
		this.value = value;
	}

	/**
	 * Return the name used in reports.
	 * @return the name, such as {@code provider}
	 */
	public String value() {
		return this.value;
	}

}
