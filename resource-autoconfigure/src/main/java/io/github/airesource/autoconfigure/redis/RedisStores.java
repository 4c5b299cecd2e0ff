package io.github.airesource.autoconfigure.redis;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.redis.ResourceRedis;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Startup checks for features whose store is {@code redis}.
 */
public final class RedisStores {

	private RedisStores() {
	}

	/**
	 * Return the library's Redis access for a feature configured with a Redis store, or
	 * fail startup with a message that names the property and says what to do.
	 * @param redis the Redis access, if a connection factory exists
	 * @param storeProperty the feature's store property, such as
	 * {@code ai.resource.usage.store}
	 * @return the Redis access
	 */
	public static ResourceRedis require(ObjectProvider<ResourceRedis> redis, String storeProperty) {
		ResourceRedis resourceRedis = redis.getIfAvailable();
		if (resourceRedis == null) {
			throw missing(storeProperty);
		}
		if (!resourceRedis.isLettuce()) {
			throw new InvalidResourcePropertyException("spring.data.redis.client-type", "jedis",
					"AI Resource talks to Redis through Lettuce (" + storeProperty + "=redis)",
					"Use Lettuce, Spring Boot's default Redis client: remove Jedis or set "
							+ "spring.data.redis.client-type=lettuce.");
		}
		return resourceRedis;
	}

	/**
	 * Return the failure for a Redis store without a Redis connection.
	 * @param storeProperty the feature's store property
	 * @return the exception to throw
	 */
	public static InvalidResourcePropertyException missing(String storeProperty) {
		return new InvalidResourcePropertyException(storeProperty, "redis", "there is no Redis connection to use",
				"Add spring-boot-starter-data-redis and configure spring.data.redis.* (Lettuce), " + "or set "
						+ storeProperty + "=memory to keep this state in the instance.");
	}

}
