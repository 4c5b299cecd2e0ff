/**
 * Auto-configuration of token counting.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.tokens;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
