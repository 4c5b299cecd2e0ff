/**
 * The response cache in Redis, shared by every instance: one key per entry with its TTL,
 * compact versioned values, and failures that are misses, never errors.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.cache.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
