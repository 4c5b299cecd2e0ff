package io.github.airesource.autoconfigure;

import org.springframework.lang.Nullable;

/**
 * Thrown at startup when an {@code ai.resource.*} property has a value the library cannot
 * work with. {@link InvalidResourcePropertyFailureAnalyzer} turns it into a message that
 * names the property and says what to write instead.
 */
public class InvalidResourcePropertyException extends RuntimeException {

	private final String property;

	@Nullable
	private final transient Object value;

	private final String reason;

	private final String action;

	/**
	 * Create an exception.
	 * @param property the full property name, such as
	 * {@code ai.resource.usage.max-tracked-scopes}
	 * @param value the offending value
	 * @param reason what is wrong with it
	 * @param action what to write instead
	 */
	public InvalidResourcePropertyException(String property, @Nullable Object value, String reason, String action) {
		super("Invalid value '" + value + "' for " + property + ": " + reason);
		this.property = property;
		this.value = value;
		this.reason = reason;
		this.action = action;
	}

	/**
	 * Return the full name of the property.
	 * @return the property
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Return the offending value.
	 * @return the value, may be {@code null}
	 */
	@Nullable
	public Object getValue() {
		return this.value;
	}

	/**
	 * Return what is wrong with the value.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * Return what to write instead.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
