/**
 * The aiusage Actuator endpoint.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.actuate.usage;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
