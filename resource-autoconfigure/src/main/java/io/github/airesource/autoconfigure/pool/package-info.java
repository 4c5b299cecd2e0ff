/**
 * Auto-configuration of the pooled HTTP clients under the model clients.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.pool;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
