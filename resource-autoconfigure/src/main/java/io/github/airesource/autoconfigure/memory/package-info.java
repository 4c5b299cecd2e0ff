/**
 * Auto-configuration of JVM memory protection.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.memory;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
