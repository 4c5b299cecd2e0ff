/**
 * Rate-limit buckets in Redis, shared by every instance: one atomic Lua script per
 * acquire across every limit of a call, timed by the Redis server's clock.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.ratelimit.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
