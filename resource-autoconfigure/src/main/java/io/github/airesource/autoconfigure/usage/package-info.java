/**
 * Auto-configuration of usage and cost accounting.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.usage;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
