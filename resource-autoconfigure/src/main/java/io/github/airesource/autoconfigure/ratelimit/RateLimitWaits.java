package io.github.airesource.autoconfigure.ratelimit;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Hands the waits of the rate-limit advisor to the {@code ai.resource.limit.wait} timer
 * once the meter registry binds it: the advisor is built before meters are bound, and
 * without Micrometer the waits go nowhere.
 */
final class RateLimitWaits implements Consumer<Duration> {

	private volatile Consumer<Duration> timer = (wait) -> {
	};

	@Override
	public void accept(Duration wait) {
		this.timer.accept(wait);
	}

	void bindTo(Consumer<Duration> timer) {
		this.timer = timer;
	}

}
