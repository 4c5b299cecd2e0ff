/**
 * The library's Redis access: key schema, Lua scripts, connections and store health,
 * shared by every Redis-backed feature.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
