/**
 * The fleet-wide usage ledger in Redis: keys, write-behind, reads.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.usage.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
