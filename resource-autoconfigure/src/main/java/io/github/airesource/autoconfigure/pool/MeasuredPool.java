package io.github.airesource.autoconfigure.pool;

/**
 * A connection pool that AI Resource configured and can report on.
 */
interface MeasuredPool {

	/**
	 * Read the pool's current state.
	 * @return a snapshot
	 */
	ConnectionPoolStats stats();

}
