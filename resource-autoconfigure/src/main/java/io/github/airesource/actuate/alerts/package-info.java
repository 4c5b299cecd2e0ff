/**
 * The {@code aialerts} Actuator endpoint: active alerts, recent transitions, rules and
 * budget forecasts.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.actuate.alerts;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
