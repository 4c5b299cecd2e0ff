package io.github.airesource.core;

import java.util.Map;

/**
 * A part of the library that holds resources on behalf of calls in flight: bulkhead
 * permits, cache loads other callers wait on, summary jobs. Each is released on every
 * exit path of its call; the {@code aimemory} health details list what is held right now,
 * so that a leak shows as a count that never returns to zero once traffic stops.
 */
@FunctionalInterface
public interface HeldResources {

	/**
	 * Return what is held now, by name, such as {@code concurrency.permits}.
	 * @return the counts, empty when nothing is tracked
	 */
	Map<String, Long> held();

}
