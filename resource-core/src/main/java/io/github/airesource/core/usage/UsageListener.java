package io.github.airesource.core.usage;

import io.github.airesource.core.scope.CallScope;

/**
 * Receives every recorded call: ledgers, metrics and stores implement it. Called on the
 * thread that finishes the call, so implementations must be quick and must not block;
 * exceptions are logged and never reach the caller.
 */
@FunctionalInterface
public interface UsageListener {

	/**
	 * Take one recorded call.
	 * @param record what the call used
	 * @param scope who the call was for
	 */
	void onUsage(UsageRecord record, CallScope scope);

}
