package io.github.airesource.core.ratelimit;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.springframework.util.Assert;

/**
 * The rate limits that applied to a call, as they stood once it was admitted: put in the
 * response context under
 * {@value io.github.airesource.core.ResourceContextKeys#RATE_LIMIT} so that an HTTP
 * application can send {@code RateLimit}, {@code RateLimit-Policy} and
 * {@code Retry-After} headers.
 *
 * <pre class="code">
 * ChatClientResponse response = chatClient.prompt().user(q).call().chatClientResponse();
 * if (response.context().get(ResourceContextKeys.RATE_LIMIT) instanceof RateLimitStatus status) {
 *     status.mostConstrained().ifPresent((state) -&gt; headers.add("RateLimit",
 *             "limit=" + state.capacity() + ", remaining=" + state.remaining()
 *                     + ", reset=" + state.resetAfter().toSeconds()));
 * }
 * </pre>
 *
 * @param states the state of every dimension of every limit that applied, after the call
 * took its share
 * @param waited how long the call waited for capacity
 */
public record RateLimitStatus(List<RateLimitState> states, Duration waited) {

	private static final Comparator<RateLimitState> MOST_CONSTRAINED = Comparator
		.comparingDouble(RateLimitState::remainingFraction)
		.thenComparing(RateLimitState::resetAfter, Comparator.reverseOrder());

	public RateLimitStatus {
		Assert.notNull(states, "states must not be null");
		Assert.notNull(waited, "waited must not be null");
		// The store's states are unmodifiable and built only when read: copying them
		// would build them on every call.
		states = (states instanceof RateLimitStates) ? states : List.copyOf(states);
	}

	/**
	 * Return the state with the smallest fraction of its capacity left: the one a client
	 * should pace itself by, and the one to put in a single {@code RateLimit} header.
	 * @return the most constrained state, empty when no limit applied
	 */
	public Optional<RateLimitState> mostConstrained() {
		return this.states.stream().min(MOST_CONSTRAINED);
	}

	/**
	 * Return how long until every limit that applied is full again.
	 * @return the longest reset
	 */
	public Duration resetAfter() {
		return this.states.stream()
			.map(RateLimitState::resetAfter)
			.max(Comparator.naturalOrder())
			.orElse(Duration.ZERO);
	}

	/**
	 * Return the states of one limit.
	 * @param limit the limit's name
	 * @return its states, one per counted dimension
	 */
	public List<RateLimitState> statesOf(String limit) {
		return this.states.stream().filter((state) -> state.limit().equals(limit)).toList();
	}

}
