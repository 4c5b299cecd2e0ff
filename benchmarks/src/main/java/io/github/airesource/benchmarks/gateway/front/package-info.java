/**
 * The starter behind an OpenAI-compatible HTTP front, for the gateway comparison: a
 * Spring Boot application whose {@code POST /v1/chat/completions} goes through a
 * {@code ChatClient} with every feature of the starter on.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.benchmarks.gateway.front;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
