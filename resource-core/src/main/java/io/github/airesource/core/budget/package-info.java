/**
 * Token and cost budgets: limits, reservations that settle to actual use, and their
 * stores.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.budget;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
