package io.github.airesource.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Top-level settings of AI Resource.
 */
@ConfigurationProperties(ResourceProperties.PREFIX)
public class ResourceProperties {

	/** The prefix of every AI Resource property. */
	public static final String PREFIX = "ai.resource";

	/**
	 * Whether AI Resource adds its advisors to chat clients at all.
	 */
	private boolean enabled = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
