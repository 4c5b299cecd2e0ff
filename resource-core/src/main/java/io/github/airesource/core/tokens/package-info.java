/**
 * Token counting with jtokkit, the way providers bill prompts.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.tokens;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
