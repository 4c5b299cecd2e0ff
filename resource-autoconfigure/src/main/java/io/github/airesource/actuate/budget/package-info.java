/**
 * The aibudgets Actuator endpoint and the aibudget health contributor.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.actuate.budget;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
