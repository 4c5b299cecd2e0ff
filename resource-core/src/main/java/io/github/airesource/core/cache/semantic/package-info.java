/**
 * The semantic cache: answers a request with the cached answer of a similar one, found by
 * embedding, within a hard partition and behind a guard on numbers, quoted strings,
 * negations, polarity words and named entities.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.cache.semantic;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
