/**
 * Auto-configuration of model routing: routing rules and the context-window rule.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.routing;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
