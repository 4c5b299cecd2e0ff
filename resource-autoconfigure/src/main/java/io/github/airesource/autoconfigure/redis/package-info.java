/**
 * Auto-configuration of AI Resource's Redis access.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
