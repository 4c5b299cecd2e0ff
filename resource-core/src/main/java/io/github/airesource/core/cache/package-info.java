/**
 * Response, semantic and tool-result caching: canonical request keys, cached responses
 * and their replay, per-request cache controls and cache statistics.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.cache;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
