/**
 * JMH benchmarks of AI Resource.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.benchmarks;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
