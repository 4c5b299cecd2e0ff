/**
 * Micrometer meters of recorded calls.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.usage.metrics;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
