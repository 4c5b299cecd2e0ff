/**
 * The history state (cut and running summary per conversation) kept in Redis, shared by
 * every instance.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.history.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
