/**
 * Usage and cost accounting: the usage advisor, usage records and listeners.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.usage;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
