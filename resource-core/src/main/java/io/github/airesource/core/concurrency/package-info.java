/**
 * Concurrency limits: a bulkhead of permits with a bounded, prioritised wait queue,
 * per-user and per-tenant caps, and the advisor that holds a permit for each model call.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.concurrency;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
