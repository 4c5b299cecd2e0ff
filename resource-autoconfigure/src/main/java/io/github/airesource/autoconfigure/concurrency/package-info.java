/**
 * Auto-configuration of the concurrency limit: the bulkhead with its wait queue, the
 * advisor and their metrics.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.concurrency;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
