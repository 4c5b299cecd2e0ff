/**
 * The aicaches Actuator endpoint.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.actuate.cache;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
