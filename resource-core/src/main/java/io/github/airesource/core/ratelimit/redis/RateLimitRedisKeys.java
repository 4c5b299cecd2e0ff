package io.github.airesource.core.ratelimit.redis;

import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.redis.RedisKeys;

/**
 * The rate-limit store's Redis keys, all built by {@link RedisKeys} under the hash tag
 * {@value RedisKeys#ADMISSION_TAG} that budget keys share, so that one script could admit
 * a call against both:
 * <ul>
 * <li>{@code ratelimit:{admission}:<requests|tokens|cost>:<limit>:<key>}: a string, the
 * theoretical arrival time of one bucket ({@code "<epoch micros> <fraction>"}), with a
 * TTL until the bucket is full again.</li>
 * </ul>
 * The dimension is a fixed word and comes first; the limit name and the scope key are ids
 * and are encoded, so no key of a user can be another user's or another limit's.
 */
final class RateLimitRedisKeys {

	private static final String FEATURE = "ratelimit";

	private final RedisKeys.Group group;

	RateLimitRedisKeys(RedisKeys keys) {
		this.group = keys.group(FEATURE, RedisKeys.ADMISSION_TAG);
	}

	byte[] bucket(RateLimit limit, String key, RateDimension dimension) {
		return this.group.keyBytes(dimension.value(), limit.name(), key);
	}

}
