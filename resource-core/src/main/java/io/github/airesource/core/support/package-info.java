/**
 * Small helpers shared by the advisors.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.support;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
