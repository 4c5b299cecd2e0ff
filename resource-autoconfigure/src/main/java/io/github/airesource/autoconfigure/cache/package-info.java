/**
 * Auto-configuration of the response, semantic and tool-result caches.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.cache;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
