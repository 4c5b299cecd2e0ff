package io.github.airesource.autoconfigure.redis;

import java.time.Duration;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.redis.FailureMode;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;

/**
 * How AI Resource uses Redis, for the features whose store is {@code redis}. The
 * connection itself is Spring Boot's ({@code spring.data.redis.*}).
 */
@ConfigurationProperties(ResourceRedisProperties.PREFIX)
public class ResourceRedisProperties implements InitializingBean {

	/** The prefix of the Redis properties. */
	public static final String PREFIX = "ai.resource.redis";

	/**
	 * Prefix of every key AI Resource writes, so that it never touches the application's
	 * keys and several applications can share one Redis.
	 */
	private String keyPrefix = "airesource:";

	/**
	 * Bound on each of AI Resource's Redis calls, connecting included.
	 */
	private Duration timeout = Duration.ofMillis(500);

	/**
	 * What budgets and rate limits do when Redis fails or does not answer within the
	 * timeout: fail-closed refuses calls, fail-open lets them through and counts them.
	 */
	private FailureMode failureMode = FailureMode.FAIL_CLOSED;

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public FailureMode getFailureMode() {
		return this.failureMode;
	}

	public void setFailureMode(FailureMode failureMode) {
		this.failureMode = failureMode;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	@Override
	public void afterPropertiesSet() {
		if (!StringUtils.hasText(this.keyPrefix)) {
			throw new InvalidResourcePropertyException(PREFIX + ".key-prefix", this.keyPrefix,
					"an empty prefix would mix AI Resource's keys with the application's",
					"Set " + PREFIX + ".key-prefix to a prefix of your choice, such as \"airesource:\".");
		}
		if (this.keyPrefix.indexOf('{') >= 0 || this.keyPrefix.indexOf('}') >= 0) {
			throw new InvalidResourcePropertyException(PREFIX + ".key-prefix", this.keyPrefix,
					"braces would change the Redis Cluster hash tags AI Resource puts in its keys",
					"Set " + PREFIX + ".key-prefix to a prefix without '{' and '}', such as \"airesource:\".");
		}
		if (this.timeout == null || this.timeout.isNegative() || this.timeout.isZero()) {
			throw new InvalidResourcePropertyException(PREFIX + ".timeout", this.timeout,
					"the timeout must be positive",
					"Set " + PREFIX + ".timeout to how long a Redis call may take, such as 500ms.");
		}
	}

}
