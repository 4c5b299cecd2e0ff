/**
 * Auto-configuration of the ailimits Actuator endpoint and health contributor.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.limits;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
