/**
 * The {@code aimemory} health contributor.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.actuate.memory;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
