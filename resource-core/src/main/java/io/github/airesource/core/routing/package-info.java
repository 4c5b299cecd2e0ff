/**
 * Model routing: ordered rules that send a call to another model, and the context-window
 * rule that sends a prompt too large for its model to a larger-context one.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.routing;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
