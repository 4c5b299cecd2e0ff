/**
 * Budget counters in Redis, shared by every instance: one atomic Lua script per
 * reservation, timed by the Redis server's clock.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.budget.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
