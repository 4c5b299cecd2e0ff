/**
 * Auto-configuration of model prices.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.pricing;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
