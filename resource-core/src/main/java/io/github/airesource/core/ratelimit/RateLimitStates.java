package io.github.airesource.core.ratelimit;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The states of the buckets a call charged, kept as the bucket times they had once the
 * call was admitted and turned into {@link RateLimitState}s only when read. Every
 * admitted call reports its states, but most applications never read them: building the
 * records (two durations each, a division per dimension) on every call cost more than the
 * rest of the charge. Unmodifiable; the charges' order, then {@link RateDimension}'s, as
 * {@link RateLimitDecision.Admitted#states()} promises.
 */
final class RateLimitStates extends AbstractList<RateLimitState> implements RandomAccess {

	private static final RateDimension[] DIMENSIONS = RateDimension.values();

	private final List<RateLimitCharge> charges;

	/** Per counted dimension of each charge, in order: whole microseconds, fraction. */
	private final long[] times;

	private final long now;

	/**
	 * Built on first read; racing readers build equal states and either array may win, so
	 * a volatile read is all that publication needs.
	 */
	private volatile RateLimitState[] states;

	RateLimitStates(List<RateLimitCharge> charges, long[] times, long now) {
		this.charges = charges;
		this.times = times;
		this.now = now;
	}

	@Override
	public RateLimitState get(int index) {
		return states()[index];
	}

	@Override
	public int size() {
		return this.times.length / 2;
	}

	private RateLimitState[] states() {
		RateLimitState[] states = this.states;
		if (states == null) {
			states = new RateLimitState[size()];
			int at = 0;
			for (int i = 0; i < this.charges.size(); i++) {
				RateLimitCharge charge = this.charges.get(i);
				for (RateDimension dimension : DIMENSIONS) {
					if (charge.limit().capacity(dimension) != null) {
						states[at] = Gcra.state(charge.limit(), charge.key(), dimension, this.times[2 * at],
								this.times[2 * at + 1], this.now);
						at++;
					}
				}
			}
			this.states = states;
		}
		return states;
	}

}
