package io.github.airesource.autoconfigure.guard;

import java.time.Duration;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.guard.PromptGuardAdvisor;
import io.github.airesource.core.guard.TimeoutAdvisor;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Guard rails on every call: prompt size, requested output, duration and tool iterations.
 * Each is off at 0.
 */
@ConfigurationProperties(GuardProperties.PREFIX)
public class GuardProperties implements InitializingBean {

	/** The prefix of the guard properties. */
	public static final String PREFIX = "ai.resource.guard";

	/**
	 * Most tokens a prompt may have; larger prompts are refused before any reservation or
	 * model call, 0 for no limit.
	 */
	private int maxPromptTokens = 0;

	/**
	 * Most output tokens a call may ask for; requests that ask for more or for no limit
	 * get this cap, 0 for no cap.
	 */
	private int maxOutputTokens = 0;

	/**
	 * Most a call may take, a whole stream included, before it fails; 0s for no bound.
	 */
	private Duration timeout = Duration.ZERO;

	/**
	 * Most rounds of tool calls one call may run before it fails, 0 for no limit.
	 */
	private int maxToolIterations = 0;

	/**
	 * Position of the prompt guard advisor in the chat client's advisor chain.
	 */
	private int order = PromptGuardAdvisor.DEFAULT_ORDER;

	/**
	 * Position of the timeout advisor in the chat client's advisor chain.
	 */
	private int timeoutOrder = TimeoutAdvisor.DEFAULT_ORDER;

	public int getMaxPromptTokens() {
		return this.maxPromptTokens;
	}

	public void setMaxPromptTokens(int maxPromptTokens) {
		this.maxPromptTokens = maxPromptTokens;
	}

	public int getMaxOutputTokens() {
		return this.maxOutputTokens;
	}

	public void setMaxOutputTokens(int maxOutputTokens) {
		this.maxOutputTokens = maxOutputTokens;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public int getMaxToolIterations() {
		return this.maxToolIterations;
	}

	public void setMaxToolIterations(int maxToolIterations) {
		this.maxToolIterations = maxToolIterations;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	public int getTimeoutOrder() {
		return this.timeoutOrder;
	}

	public void setTimeoutOrder(int timeoutOrder) {
		this.timeoutOrder = timeoutOrder;
	}

	@Override
	public void afterPropertiesSet() {
		requireNotNegative("max-prompt-tokens", this.maxPromptTokens, "tokens, such as 8000");
		requireNotNegative("max-output-tokens", this.maxOutputTokens, "tokens, such as 2048");
		requireNotNegative("max-tool-iterations", this.maxToolIterations, "rounds, such as 5");
		if (this.timeout == null || this.timeout.isNegative()) {
			throw new InvalidResourcePropertyException(PREFIX + ".timeout", this.timeout,
					"a timeout cannot be negative",
					"Set " + PREFIX + ".timeout to a duration such as 60s, or 0s for no timeout.");
		}
	}

	private static void requireNotNegative(String name, int value, String example) {
		if (value < 0) {
			throw new InvalidResourcePropertyException(PREFIX + "." + name, value, "a limit cannot be negative",
					"Set " + PREFIX + "." + name + " to a number of " + example + ", or 0 for no limit.");
		}
	}

}
