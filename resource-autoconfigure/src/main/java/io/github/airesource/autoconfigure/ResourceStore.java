package io.github.airesource.autoconfigure;

/**
 * Where a feature keeps its state.
 */
public enum ResourceStore {

	/** In this instance's memory. */
	MEMORY,

	/** In Redis, shared by every instance that uses the same Redis and key prefix. */
	REDIS

}
