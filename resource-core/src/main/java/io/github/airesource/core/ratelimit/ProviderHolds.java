package io.github.airesource.core.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.github.airesource.core.model.ModelNames;

import org.springframework.ai.chat.metadata.RateLimit;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * What model providers told us about their own rate limits: a 429 with
 * {@code Retry-After}, or {@code x-ratelimit-remaining-*: 0} with
 * {@code x-ratelimit-reset-*}. Until the reset, the rate-limit advisor holds further
 * calls to that model (they wait within {@code max-wait}, else are refused locally)
 * instead of letting every caller hit the provider's 429.
 *
 * <p>
 * Kept per model family in this instance's memory: a provider's answer is about this
 * instance's API key as the provider saw it a moment ago, so it is short-lived, and every
 * instance learns it from its own next call. Holds are set by whatever sees the
 * provider's answer: the advisor from the response metadata, and the HTTP interceptors of
 * the auto-configuration from the raw response (Spring AI drops a 429's headers).
 */
public final class ProviderHolds {

	/** The key of a hold for every model, when the model of the call is not known. */
	public static final String ALL_MODELS = "*";

	/**
	 * The Reactor context key under which the rate-limit advisor passes the model of a
	 * streaming call down to HTTP filters, which cannot read the request body.
	 */
	public static final String MODEL_CONTEXT_KEY = "ai.resource.rate-limit.model";

	/** The longest hold a provider can impose, against absurd header values. */
	static final Duration MAX_HOLD = Duration.ofHours(1);

	private final Clock clock;

	private final Map<String, ProviderHold> holds = new ConcurrentHashMap<>();

	private final LongAdder imposed = new LongAdder();

	public ProviderHolds(Clock clock) {
		Assert.notNull(clock, "clock must not be null");
		this.clock = clock;
	}

	/**
	 * Hold calls to a model for a while; a longer hold already in place stays.
	 * @param model the model, or {@code null} or {@value #ALL_MODELS} for every model
	 * @param duration how long, such as the provider's {@code Retry-After}
	 * @param reason what the provider said
	 */
	public void hold(@Nullable String model, Duration duration, String reason) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			return;
		}
		Duration bounded = (duration.compareTo(MAX_HOLD) > 0) ? MAX_HOLD : duration;
		Instant until = this.clock.instant().plus(bounded);
		String key = key(model);
		ProviderHold hold = new ProviderHold(key, until, reason);
		this.holds.merge(key, hold, (old, now) -> old.until().isAfter(now.until()) ? old : now);
		this.imposed.increment();
	}

	/**
	 * Hold calls to a model when the rate-limit metadata of its response says a limit is
	 * used up: until the latest reset among the used-up ones.
	 * @param model the model the response came from
	 * @param rateLimit the provider's rate-limit metadata, may be {@code null}
	 */
	public void holdIfExhausted(@Nullable String model, @Nullable RateLimit rateLimit) {
		if (rateLimit == null) {
			return;
		}
		Duration longest = Duration.ZERO;
		String reason = null;
		if (isZero(rateLimit.getRequestsRemaining()) && rateLimit.getRequestsReset() != null
				&& rateLimit.getRequestsReset().compareTo(longest) > 0) {
			longest = rateLimit.getRequestsReset();
			reason = "x-ratelimit-remaining-requests: 0, reset in " + longest;
		}
		if (isZero(rateLimit.getTokensRemaining()) && rateLimit.getTokensReset() != null
				&& rateLimit.getTokensReset().compareTo(longest) > 0) {
			longest = rateLimit.getTokensReset();
			reason = "x-ratelimit-remaining-tokens: 0, reset in " + longest;
		}
		if (reason != null) {
			hold(model, longest, reason);
		}
	}

	/**
	 * Return the hold on calls to a model, if one is in place now.
	 * @param model the model of the call
	 * @return the hold that ends last among the model's and the one on every model, or
	 * {@code null}
	 */
	@Nullable
	public ProviderHold holdOf(@Nullable String model) {
		if (this.holds.isEmpty()) {
			return null;
		}
		Instant now = this.clock.instant();
		ProviderHold own = live(key(model), now);
		ProviderHold all = live(ALL_MODELS, now);
		if (own == null) {
			return all;
		}
		return (all != null && all.until().isAfter(own.until())) ? all : own;
	}

	/**
	 * Return the holds in place now.
	 * @return the holds, for the {@code ailimits} endpoint
	 */
	public List<ProviderHold> current() {
		Instant now = this.clock.instant();
		List<ProviderHold> current = new ArrayList<>();
		for (String key : this.holds.keySet()) {
			ProviderHold hold = live(key, now);
			if (hold != null) {
				current.add(hold);
			}
		}
		return current;
	}

	/**
	 * Return how many holds providers imposed since start.
	 * @return the count
	 */
	public long imposed() {
		return this.imposed.sum();
	}

	/**
	 * Return the clock holds are timed by.
	 * @return the clock
	 */
	public Clock clock() {
		return this.clock;
	}

	@Nullable
	private ProviderHold live(String key, Instant now) {
		ProviderHold hold = this.holds.get(key);
		if (hold == null) {
			return null;
		}
		if (!hold.until().isAfter(now)) {
			// Forget it, unless a newer hold replaced it meanwhile.
			this.holds.remove(key, hold);
			return null;
		}
		return hold;
	}

	private static boolean isZero(@Nullable Long value) {
		return value != null && value == 0;
	}

	private static String key(@Nullable String model) {
		if (!StringUtils.hasText(model) || ALL_MODELS.equals(model)) {
			return ALL_MODELS;
		}
		return ModelNames.family(ModelNames.normalize(model));
	}

}
