/**
 * Auto-configuration of the guard rails: prompt size, output cap, call timeout and tool
 * iterations.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.guard;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
