package io.github.airesource.actuate.limits;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.airesource.actuate.limits.LimitsDescriptor.CapDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.ConcurrencyDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.ConnectionPoolDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.DimensionStateDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.ProviderHoldDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.QueuedDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.RateLimitDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.RateLimitsDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.RejectionDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.StoreDescriptor;
import io.github.airesource.autoconfigure.pool.ConnectionPools;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencyLimitExceededException;
import io.github.airesource.core.concurrency.ConcurrencySnapshot;
import io.github.airesource.core.guard.PromptGuardAdvisor;
import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitRejection;
import io.github.airesource.core.ratelimit.RateLimitState;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.lang.Nullable;

/**
 * The {@code ailimits} endpoint: the rate limits (each global limit with its state now,
 * the others with where to look a key up), the concurrency bulkhead, the HTTP connection
 * pools under the model clients, the calls refused since start by reason, and the holds
 * providers imposed. One key of one rate limit at
 * {@code /actuator/ailimits/{limit}/{key}}. Read only: a rate limit refills by itself, so
 * there is nothing to reset. Each part is shown only when its feature is enabled; a
 * failing rate-limit store is shown as unavailable rather than failing the report.
 */
@Endpoint(id = "ailimits")
public class LimitsEndpoint {

	static final String RATE_LIMIT = "rate-limit";

	static final String CONCURRENCY = "concurrency";

	static final String GUARD = "guard";

	private static final List<String> CONCURRENCY_LIMITS = List.of(ConcurrencyLimitExceededException.MAX_QUEUE,
			ConcurrencyLimitExceededException.MAX_WAIT, ConcurrencyLimitExceededException.PER_USER,
			ConcurrencyLimitExceededException.PER_TENANT);

	@Nullable
	private final RateLimits rateLimits;

	@Nullable
	private final RateLimitAdvisor rateLimitAdvisor;

	@Nullable
	private final ConcurrencyBulkhead bulkhead;

	@Nullable
	private final ConnectionPools connectionPools;

	@Nullable
	private final PromptGuardAdvisor promptGuard;

	/**
	 * Create the endpoint; each part may be missing when its feature is off.
	 * @param rateLimits the rate limits, or {@code null}
	 * @param rateLimitAdvisor the advisor that counts rate-limit refusals, or
	 * {@code null}
	 * @param bulkhead the concurrency bulkhead, or {@code null}
	 * @param connectionPools the connection pools, or {@code null}
	 * @param promptGuard the prompt guard that counts refused prompts, or {@code null}
	 */
	public LimitsEndpoint(@Nullable RateLimits rateLimits, @Nullable RateLimitAdvisor rateLimitAdvisor,
			@Nullable ConcurrencyBulkhead bulkhead, @Nullable ConnectionPools connectionPools,
			@Nullable PromptGuardAdvisor promptGuard) {
		this.rateLimits = rateLimits;
		this.rateLimitAdvisor = rateLimitAdvisor;
		this.bulkhead = bulkhead;
		this.connectionPools = connectionPools;
		this.promptGuard = promptGuard;
	}

	/**
	 * Report every limit.
	 * @return the report
	 */
	@ReadOperation
	public LimitsDescriptor limits() {
		return new LimitsDescriptor(rateLimits(), concurrency(), connectionPools(), rejections(), providerHolds());
	}

	/**
	 * Report one key of one rate limit.
	 * @param limit the limit's name
	 * @param key the scope key ({@code global} for a global limit)
	 * @return the state, or {@code null} (404) when no such limit is configured
	 */
	@ReadOperation
	@Nullable
	public RateLimitKeyDescriptor key(@Selector String limit, @Selector String key) {
		RateLimits limits = this.rateLimits;
		if (limits == null) {
			return null;
		}
		return limits.limit(limit).map((found) -> {
			try {
				return new RateLimitKeyDescriptor(found.name(), found.scope().value(), key,
						describe(limits, limits.state(found, key)), null);
			}
			catch (RedisUnavailableException ex) {
				return new RateLimitKeyDescriptor(found.name(), found.scope().value(), key, List.of(),
						String.valueOf(ex.getMessage()));
			}
		}).orElse(null);
	}

	@Nullable
	private RateLimitsDescriptor rateLimits() {
		RateLimits limits = this.rateLimits;
		if (limits == null) {
			return null;
		}
		List<RateLimitDescriptor> descriptors = new ArrayList<>();
		Boolean available = null;
		String storeError = null;
		for (RateLimit limit : limits.limits()) {
			List<DimensionStateDescriptor> state = null;
			String keyLookup = null;
			String error = null;
			if (limit.scope() == ScopeType.GLOBAL && storeError != null) {
				// The store already failed for this report: asking again for every limit
				// would only add a timeout each.
				error = storeError;
			}
			else if (limit.scope() == ScopeType.GLOBAL) {
				try {
					state = describe(limits, limits.state(limit, CallScope.GLOBAL_ID));
					if (available == null) {
						available = true;
					}
				}
				catch (RedisUnavailableException ex) {
					error = String.valueOf(ex.getMessage());
					available = false;
					storeError = error;
				}
			}
			else {
				keyLookup = "ailimits/" + limit.name() + "/{key}";
			}
			descriptors.add(new RateLimitDescriptor(limit.name(), limit.scope().value(), limit.period(),
					limit.requests(), limit.tokens(), (limit.costNanos() != null) ? usd(limit.costNanos()) : null,
					limit.models().stream().sorted().toList(), state, keyLookup, error));
		}
		long failOpen = (this.rateLimitAdvisor != null) ? this.rateLimitAdvisor.failOpenCalls() : 0;
		return new RateLimitsDescriptor(new StoreDescriptor(storeType(limits), available, storeError, failOpen),
				descriptors);
	}

	@Nullable
	private ConcurrencyDescriptor concurrency() {
		if (this.bulkhead == null) {
			return null;
		}
		ConcurrencySnapshot snapshot = this.bulkhead.snapshot();
		ConcurrencySnapshot.Queued queued = snapshot.queued();
		return new ConcurrencyDescriptor(snapshot.name(), snapshot.active(), snapshot.max(), snapshot.available(),
				new QueuedDescriptor(queued.high(), queued.normal(), queued.low(), queued.total()), snapshot.maxQueue(),
				snapshot.reservedForHigh(), cap(snapshot.users()), cap(snapshot.tenants()));
	}

	@Nullable
	private List<ConnectionPoolDescriptor> connectionPools() {
		if (this.connectionPools == null) {
			return null;
		}
		return this.connectionPools.stats()
			.stream()
			.map((pool) -> new ConnectionPoolDescriptor(pool.client(), pool.leased(), pool.available(), pool.pending(),
					pool.maxConnections(), pool.maxConnectionsPerRoute()))
			.toList();
	}

	private List<RejectionDescriptor> rejections() {
		List<RejectionDescriptor> rejections = new ArrayList<>();
		if (this.rateLimitAdvisor != null) {
			Map<RateLimitRejection, Long> counts = this.rateLimitAdvisor.rejections();
			for (RateLimitRejection reason : RateLimitRejection.values()) {
				rejections.add(new RejectionDescriptor(RATE_LIMIT, reason.value(), counts.getOrDefault(reason, 0L),
						this.rateLimitAdvisor.lastRejection(reason)));
			}
		}
		if (this.bulkhead != null) {
			ConcurrencySnapshot.Rejections counts = this.bulkhead.snapshot().rejections();
			long[] byLimit = { counts.maxQueue(), counts.maxWait(), counts.perUser(), counts.perTenant() };
			for (int i = 0; i < CONCURRENCY_LIMITS.size(); i++) {
				String limit = CONCURRENCY_LIMITS.get(i);
				rejections
					.add(new RejectionDescriptor(CONCURRENCY, limit, byLimit[i], this.bulkhead.lastRejection(limit)));
			}
		}
		if (this.promptGuard != null) {
			this.promptGuard.rejections()
				.forEach((limit, count) -> rejections
					.add(new RejectionDescriptor(GUARD, limit, count, this.promptGuard.lastRejection(limit))));
		}
		return rejections;
	}

	@Nullable
	private List<ProviderHoldDescriptor> providerHolds() {
		if (this.rateLimits == null) {
			return null;
		}
		return this.rateLimits.currentProviderHolds()
			.stream()
			.map((hold) -> new ProviderHoldDescriptor(hold.model(), hold.until(), hold.reason()))
			.toList();
	}

	static List<DimensionStateDescriptor> describe(RateLimits limits, List<RateLimitState> states) {
		// The store times buckets by its own clock (Redis's TIME for Redis); resetsAt is
		// this instance's now plus the store's answer, close enough for a report.
		Instant now = clock(limits).instant();
		return states.stream()
			.map((state) -> new DimensionStateDescriptor(state.dimension().value(),
					amount(state.dimension(), state.capacity()), amount(state.dimension(), state.remaining()),
					state.remainingFraction(), state.resetAfter(), now.plus(state.resetAfter())))
			.toList();
	}

	private static Clock clock(RateLimits limits) {
		return limits.providerHolds().clock();
	}

	private static BigDecimal amount(RateDimension dimension, long value) {
		return (dimension == RateDimension.COST) ? usd(value) : BigDecimal.valueOf(value);
	}

	private static BigDecimal usd(long nanos) {
		BigDecimal usd = BudgetMoney.toUsd(nanos).stripTrailingZeros();
		// 100 rather than 1E+2 in the JSON.
		return (usd.scale() < 0) ? usd.setScale(0) : usd;
	}

	private static CapDescriptor cap(ConcurrencySnapshot.ScopeActivity activity) {
		return new CapDescriptor(activity.cap(), activity.activeKeys(), activity.keysAtCap());
	}

	private static String storeType(RateLimits limits) {
		// Compared by name: the Redis store's class needs Spring Data Redis, which an
		// application with the memory store may not have.
		String name = limits.store().getClass().getName();
		return switch (name) {
			case "io.github.airesource.core.ratelimit.InMemoryRateLimitStore" -> "memory";
			case "io.github.airesource.core.ratelimit.redis.RedisRateLimitStore" -> "redis";
			default -> name;
		};
	}

}
