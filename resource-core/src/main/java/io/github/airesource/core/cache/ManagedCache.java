package io.github.airesource.core.cache;

/**
 * A cache as the {@code aicaches} endpoint and the metrics see it: its size and counters,
 * and the operations that clear it whole or one tenant's part.
 */
public interface ManagedCache {

	/**
	 * Return the cache's name: {@code response}, {@code semantic} or {@code tool}.
	 * @return the name
	 */
	String name();

	/**
	 * Return the number of entries held, or {@code -1} when the store cannot tell cheaply
	 * (a shared store that is unreachable).
	 * @return the entries
	 */
	long size();

	/**
	 * Return the cache's counters.
	 * @return the statistics
	 */
	CacheStatistics statistics();

	/**
	 * Remove every entry.
	 * @return the entries removed, {@code -1} when the store cannot tell
	 */
	long clear();

	/**
	 * Remove every entry of one tenant, across its users and namespaces.
	 * @param tenant the tenant
	 * @return the entries removed, {@code -1} when the store cannot tell
	 */
	long clearTenant(String tenant);

}
