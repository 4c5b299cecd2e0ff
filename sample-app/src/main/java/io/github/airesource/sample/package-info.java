/**
 * A chat service that uses the AI Resource starter as an application would.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.sample;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
