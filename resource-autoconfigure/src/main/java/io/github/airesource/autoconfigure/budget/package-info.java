/**
 * Auto-configuration of token and cost budgets.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.budget;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
