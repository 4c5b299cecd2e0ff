/**
 * The core of AI Resource: the advisor contract, chain orders, context keys and limit
 * exceptions.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
