/**
 * Spring Boot auto-configuration of AI Resource: the advisor chain, master switch and
 * startup checks.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
