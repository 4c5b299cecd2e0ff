/**
 * The ailimits Actuator endpoint and the ailimits health contributor.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.actuate.limits;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
