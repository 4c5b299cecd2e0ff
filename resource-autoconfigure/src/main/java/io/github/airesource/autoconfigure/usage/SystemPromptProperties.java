package io.github.airesource.autoconfigure.usage;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The system-prompt size warning, {@code ai.resource.history.system-prompt-warn-tokens}.
 * It is bound on the history prefix (where users look for prompt-size settings) by a
 * class of its own that declares only this property, so it binds whether history trimming
 * is on or not; the other {@code ai.resource.history.*} properties are ignored here.
 */
@ConfigurationProperties(SystemPromptProperties.PREFIX)
public class SystemPromptProperties implements InitializingBean {

	/** The prefix the property is bound on. */
	public static final String PREFIX = "ai.resource.history";

	/**
	 * Log a warning, once per system prompt, when a system prompt has more tokens than
	 * this; 0 for never.
	 */
	private int systemPromptWarnTokens = 1000;

	public int getSystemPromptWarnTokens() {
		return this.systemPromptWarnTokens;
	}

	public void setSystemPromptWarnTokens(int systemPromptWarnTokens) {
		this.systemPromptWarnTokens = systemPromptWarnTokens;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.systemPromptWarnTokens < 0) {
			throw new InvalidResourcePropertyException(PREFIX + ".system-prompt-warn-tokens",
					this.systemPromptWarnTokens, "a token count cannot be negative",
					"Set " + PREFIX + ".system-prompt-warn-tokens to a number of tokens such as 1000, or 0 to never "
							+ "warn.");
		}
	}

}
