package io.github.airesource.core.ratelimit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.util.Assert;

/**
 * The configured rate limits with their store and the holds providers imposed: what the
 * rate-limit advisor enforces and what the {@code ailimits} endpoint and health indicator
 * show.
 */
public final class RateLimits {

	private final Map<String, RateLimit> limits;

	private final RateLimitStore store;

	private final ProviderHolds providerHolds;

	/**
	 * Create the rate limits.
	 * @param limits the limits, in configuration order; names must be unique
	 * @param store where their buckets live
	 * @param providerHolds the holds providers imposed
	 */
	public RateLimits(List<RateLimit> limits, RateLimitStore store, ProviderHolds providerHolds) {
		Assert.notNull(limits, "limits must not be null");
		Assert.notNull(store, "store must not be null");
		Assert.notNull(providerHolds, "providerHolds must not be null");
		Map<String, RateLimit> byName = new LinkedHashMap<>();
		for (RateLimit limit : limits) {
			Assert.isNull(byName.put(limit.name(), limit), () -> "two limits are named '" + limit.name() + "'");
		}
		this.limits = byName;
		this.store = store;
		this.providerHolds = providerHolds;
	}

	/**
	 * Return the limits in configuration order.
	 * @return the limits
	 */
	public List<RateLimit> limits() {
		return List.copyOf(this.limits.values());
	}

	/**
	 * Return a limit by name.
	 * @param name the name
	 * @return the limit, if configured
	 */
	public Optional<RateLimit> limit(String name) {
		return Optional.ofNullable(this.limits.get(name));
	}

	/**
	 * Return the store.
	 * @return the store
	 */
	public RateLimitStore store() {
		return this.store;
	}

	/**
	 * Return the state of every dimension a limit counts for one key, from the store.
	 * @param limit the limit
	 * @param key the scope key ({@code global} for the global scope)
	 * @return one state per counted dimension
	 * @throws io.github.airesource.core.redis.RedisUnavailableException when the store
	 * fails
	 */
	public List<RateLimitState> state(RateLimit limit, String key) {
		return this.store.state(limit, key);
	}

	/**
	 * Return the holds providers imposed.
	 * @return the holds
	 */
	public ProviderHolds providerHolds() {
		return this.providerHolds;
	}

	/**
	 * Return the provider holds in place now.
	 * @return the holds
	 */
	public List<ProviderHold> currentProviderHolds() {
		return this.providerHolds.current();
	}

}
