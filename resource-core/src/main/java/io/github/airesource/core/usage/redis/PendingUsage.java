package io.github.airesource.core.usage.redis;

import io.github.airesource.core.scope.CallScope;

/**
 * One recorded call waiting to be written to Redis.
 *
 * @param deltas counter increments indexed by {@code UsageField} ordinal
 * @param model the model
 * @param scope who the call was for
 * @param atMillis when the call was recorded, which decides its window buckets
 */
record PendingUsage(long[] deltas, String model, CallScope scope, long atMillis) {
}
