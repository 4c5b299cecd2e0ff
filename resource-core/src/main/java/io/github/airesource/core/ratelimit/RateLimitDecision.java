package io.github.airesource.core.ratelimit;

import java.time.Duration;
import java.util.List;

import org.springframework.lang.Nullable;

/**
 * What a {@link RateLimitStore} answered when a call asked for capacity.
 */
public sealed interface RateLimitDecision {

	/**
	 * Every charge was taken. The capacity is the call's from {@code now + delay}: the
	 * caller parks for {@code delay} (zero when it fits at once) before going on.
	 *
	 * @param delay how long the caller must wait before its call goes on
	 * @param states the state of every dimension of every charge after taking, in charge
	 * order
	 * @param handle what the store that answered needs to settle the call without looking
	 * its buckets up again (see
	 * {@link RateLimitStore#adjust(Admitted, List, long, long, long)}), or {@code null};
	 * opaque to everyone else
	 */
	record Admitted(Duration delay, List<RateLimitState> states, @Nullable Object handle) implements RateLimitDecision {

		/**
		 * Create an admission without a handle.
		 * @param delay how long the caller must wait before its call goes on
		 * @param states the state of every dimension of every charge after taking
		 */
		public Admitted(Duration delay, List<RateLimitState> states) {
			this(delay, states, null);
		}

	}

	/**
	 * A charge would have to wait longer than allowed; nothing was taken.
	 *
	 * @param index the position of the charge that waits longest
	 * @param dimension its dimension that waits longest
	 * @param retryAfter how long until that charge would fit, or {@code null} when it can
	 * never fit (it asks for more than the limit's whole capacity)
	 */
	record Refused(int index, RateDimension dimension, @Nullable Duration retryAfter) implements RateLimitDecision {
	}

}
