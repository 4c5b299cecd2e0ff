/**
 * Auto-configuration of the joint admission of budgets and rate limits kept in one Redis.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.admission;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
