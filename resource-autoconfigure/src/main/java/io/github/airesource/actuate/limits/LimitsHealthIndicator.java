package io.github.airesource.actuate.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencySnapshot;
import io.github.airesource.core.ratelimit.ProviderHold;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitState;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.lang.Nullable;

/**
 * The {@code ailimits} health contributor: {@value #RATE_LIMITED} when a global rate
 * limit has a dimension with nothing left, or a provider holds calls to a model; UP
 * otherwise. Never {@code DOWN}: a saturated limit is the limit doing its job, and
 * refills by itself within its period; taking the instance out of a load balancer would
 * only move its traffic onto the others, which share the same global limit. Details: the
 * saturated limits, the provider holds, and the bulkhead's active, max and queued calls.
 *
 * <p>
 * When the rate-limit store cannot be read the status is {@code UNKNOWN} with the error
 * (still {@value #RATE_LIMITED} when a provider hold, kept in memory, is in place), like
 * the {@code aibudget} contributor: whether the limits are saturated cannot be told, and
 * Redis itself is reported by Spring Boot's own {@code redis} contributor; going
 * {@code DOWN} here would pull every instance sharing that Redis at once, although the
 * configured failure mode (fail-open) may be serving calls just fine.
 */
public class LimitsHealthIndicator extends AbstractHealthIndicator {

	/** The status code of a saturated global rate limit or a provider hold. */
	public static final String RATE_LIMITED = "RATE_LIMITED";

	@Nullable
	private final RateLimits rateLimits;

	@Nullable
	private final ConcurrencyBulkhead bulkhead;

	/**
	 * Create the contributor; either part may be missing when its feature is off.
	 * @param rateLimits the rate limits, or {@code null}
	 * @param bulkhead the concurrency bulkhead, or {@code null}
	 */
	public LimitsHealthIndicator(@Nullable RateLimits rateLimits, @Nullable ConcurrencyBulkhead bulkhead) {
		super("Rate-limit health check failed");
		this.rateLimits = rateLimits;
		this.bulkhead = bulkhead;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean rateLimited = false;
		String storeError = null;
		if (this.rateLimits != null) {
			List<SaturatedLimit> saturated = new ArrayList<>();
			try {
				for (RateLimit limit : this.rateLimits.limits()) {
					if (limit.scope() != ScopeType.GLOBAL) {
						continue;
					}
					for (RateLimitState state : this.rateLimits.state(limit, CallScope.GLOBAL_ID)) {
						if (state.remaining() <= 0) {
							saturated
								.add(new SaturatedLimit(limit.name(), state.dimension().value(), state.resetAfter()));
						}
					}
				}
			}
			catch (RedisUnavailableException ex) {
				storeError = String.valueOf(ex.getMessage());
			}
			List<HoldDetail> holds = this.rateLimits.currentProviderHolds().stream().map(HoldDetail::of).toList();
			rateLimited = !saturated.isEmpty() || !holds.isEmpty();
			builder.withDetail("saturated", saturated).withDetail("providerHolds", holds);
			if (storeError != null) {
				builder.withDetail("error", storeError);
			}
		}
		if (this.bulkhead != null) {
			ConcurrencySnapshot snapshot = this.bulkhead.snapshot();
			builder.withDetail("concurrency",
					new ConcurrencyDetail(snapshot.active(), snapshot.max(), snapshot.queued().total()));
		}
		if (rateLimited) {
			builder.status(new Status(RATE_LIMITED, "A global rate limit is used up or a provider holds calls"));
		}
		else if (storeError != null) {
			builder.unknown();
		}
		else {
			builder.up();
		}
	}

	/**
	 * A dimension of a global limit with nothing left.
	 *
	 * @param limit the limit's name
	 * @param dimension requests, tokens or cost
	 * @param resetAfter how long until it is full again
	 */
	public record SaturatedLimit(String limit, String dimension, Duration resetAfter) {
	}

	/**
	 * A provider hold in place.
	 *
	 * @param model the model family, or {@code *} for every model
	 * @param until when calls may go to the provider again
	 * @param reason what the provider said
	 */
	public record HoldDetail(String model, Instant until, String reason) {

		static HoldDetail of(ProviderHold hold) {
			return new HoldDetail(hold.model(), hold.until(), hold.reason());
		}

	}

	/**
	 * The bulkhead now.
	 *
	 * @param active calls holding a permit
	 * @param max the permits there are
	 * @param queued calls waiting for one
	 */
	public record ConcurrencyDetail(int active, int max, int queued) {
	}

}
