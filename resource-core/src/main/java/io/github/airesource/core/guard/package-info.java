/**
 * Guard rails: a cap on prompt size, a cap on requested output tokens, a bound on the
 * duration of a call and on the number of tool iterations a call may run.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.guard;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
