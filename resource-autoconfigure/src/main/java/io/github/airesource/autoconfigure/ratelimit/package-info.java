/**
 * Auto-configuration of request, token and cost rate limits, with provider feedback from
 * the model's HTTP responses.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.ratelimit;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
