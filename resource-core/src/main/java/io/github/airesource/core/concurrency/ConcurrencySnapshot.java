package io.github.airesource.core.concurrency;

/**
 * The state of a {@link ConcurrencyBulkhead} at one moment, for endpoints and health:
 * counts only, never a user or tenant id.
 *
 * @param name the bulkhead's name, as Resilience4j lists it
 * @param active calls holding a permit
 * @param max the permits there are ({@code max-concurrent})
 * @param available permits free now
 * @param reservedForHigh permits only high-priority calls may take
 * @param queued calls waiting, by priority
 * @param maxQueue the most calls that may wait
 * @param users calls held per user
 * @param tenants calls held per tenant
 * @param rejections calls refused since start, by the limit that refused them
 */
public record ConcurrencySnapshot(String name, int active, int max, int available, int reservedForHigh, Queued queued,
		int maxQueue, ScopeActivity users, ScopeActivity tenants, Rejections rejections) {

	/**
	 * Calls waiting for a permit, by priority.
	 *
	 * @param high waiting high-priority calls
	 * @param normal waiting normal-priority calls
	 * @param low waiting low-priority calls
	 */
	public record Queued(int high, int normal, int low) {

		/**
		 * Return how many calls wait in all.
		 * @return the sum
		 */
		public int total() {
			return this.high + this.normal + this.low;
		}

	}

	/**
	 * How many keys of one scope (users or tenants) hold permits.
	 *
	 * @param cap the most calls one key may run at once, 0 for no cap
	 * @param activeKeys keys with at least one call running
	 * @param keysAtCap keys that run as many calls as the cap allows, 0 without a cap
	 */
	public record ScopeActivity(int cap, int activeKeys, int keysAtCap) {

	}

	/**
	 * Calls refused since start, by
	 * {@link ConcurrencyLimitExceededException#limitName()}.
	 *
	 * @param maxQueue refused because the queue was full
	 * @param maxWait refused because no permit came free in time
	 * @param perUser refused because their user's cap was reached
	 * @param perTenant refused because their tenant's cap was reached
	 */
	public record Rejections(long maxQueue, long maxWait, long perUser, long perTenant) {

		/**
		 * Return how many calls were refused in all.
		 * @return the sum
		 */
		public long total() {
			return this.maxQueue + this.maxWait + this.perUser + this.perTenant;
		}

	}

}
