/**
 * Request, token and cost rate limits: GCRA buckets per limit and scope key, kept in
 * memory or in Redis, and the advisor that waits for or refuses capacity.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.ratelimit;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
