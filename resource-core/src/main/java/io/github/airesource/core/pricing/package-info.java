/**
 * Model prices and the cost of a call.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.pricing;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
