package io.github.airesource.actuate.limits;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.lang.Nullable;

/**
 * The {@code ailimits} endpoint's report. A section is {@code null} (left out of the
 * JSON) when its feature is not enabled. Counts, limit names and model names only: never
 * a prompt, a response, a key or a user or tenant id.
 *
 * @param rateLimits the rate limits, or {@code null} when rate limits are off
 * @param concurrency the bulkhead, or {@code null} when the concurrency limit is off
 * @param connectionPools the HTTP connection pools under the model clients, or
 * {@code null} when pooling is off
 * @param rejections calls refused since start, by feature and reason
 * @param providerHolds the holds providers imposed that are in place now, or {@code null}
 * when rate limits are off
 */
public record LimitsDescriptor(@Nullable RateLimitsDescriptor rateLimits, @Nullable ConcurrencyDescriptor concurrency,
		@Nullable List<ConnectionPoolDescriptor> connectionPools, List<RejectionDescriptor> rejections,
		@Nullable List<ProviderHoldDescriptor> providerHolds) implements OperationResponseBody {

	/**
	 * The rate limits and their store.
	 *
	 * @param store the store the buckets live in
	 * @param limits the limits in configuration order
	 */
	public record RateLimitsDescriptor(StoreDescriptor store, List<RateLimitDescriptor> limits) {
	}

	/**
	 * The store of the rate-limit buckets.
	 *
	 * @param type {@code memory}, {@code redis}, or the class name of an application's
	 * own store
	 * @param available whether the store answered when this report read it; {@code null}
	 * when the report read nothing from it (no global limit)
	 * @param error why the store could not be read, else {@code null}
	 * @param failOpenCalls calls let through unchecked since start because the store
	 * failed and the failure mode is fail-open
	 */
	public record StoreDescriptor(String type, @Nullable Boolean available, @Nullable String error,
			long failOpenCalls) {
	}

	/**
	 * One rate limit: its definition and, for a global limit, its state now.
	 *
	 * @param name the name
	 * @param scope global, tenant, user or conversation
	 * @param period the time in which the whole limit flows back
	 * @param requests calls per period, or {@code null}
	 * @param tokens tokens per period, or {@code null}
	 * @param cost USD per period, or {@code null}
	 * @param models the model families covered; empty for all
	 * @param state the global key's state per dimension; {@code null} for other scopes,
	 * whose keys are looked up one by one
	 * @param keyLookup for scopes other than global, where one key's state is, relative
	 * to the Actuator base path, such as {@code ailimits/user-tpm/{key}}
	 * @param error why the state could not be read (the store failed), else {@code null}
	 */
	public record RateLimitDescriptor(String name, String scope, Duration period, @Nullable Long requests,
			@Nullable Long tokens, @Nullable BigDecimal cost, List<String> models,
			@Nullable List<DimensionStateDescriptor> state, @Nullable String keyLookup, @Nullable String error) {
	}

	/**
	 * The state of one dimension of a limit for one key.
	 *
	 * @param dimension requests, tokens or cost
	 * @param capacity the limit per period (USD for cost)
	 * @param remaining what could be spent at once now (USD for cost)
	 * @param remainingFraction {@code remaining / capacity}, 0 to 1
	 * @param resetAfter how long until the bucket is full again; zero when it is
	 * @param resetsAt when the bucket is full again, by this instance's clock
	 */
	public record DimensionStateDescriptor(String dimension, BigDecimal capacity, BigDecimal remaining,
			double remainingFraction, Duration resetAfter, Instant resetsAt) {
	}

	/**
	 * The concurrency bulkhead now.
	 *
	 * @param name the bulkhead's name, as Resilience4j lists it
	 * @param active calls holding a permit
	 * @param max the permits there are ({@code max-concurrent})
	 * @param available permits free now
	 * @param queued calls waiting, by priority
	 * @param maxQueue the most calls that may wait
	 * @param reservedForHigh permits only high-priority calls may take
	 * @param perUser the per-user cap and how many users run calls
	 * @param perTenant the per-tenant cap and how many tenants run calls
	 */
	public record ConcurrencyDescriptor(String name, int active, int max, int available, QueuedDescriptor queued,
			int maxQueue, int reservedForHigh, CapDescriptor perUser, CapDescriptor perTenant) {
	}

	/**
	 * Calls waiting for a permit.
	 *
	 * @param high waiting high-priority calls
	 * @param normal waiting normal-priority calls
	 * @param low waiting low-priority calls
	 * @param total all waiting calls
	 */
	public record QueuedDescriptor(int high, int normal, int low, int total) {
	}

	/**
	 * A per-user or per-tenant cap of the bulkhead.
	 *
	 * @param cap the most calls one key may run at once, 0 for no cap
	 * @param activeKeys keys with at least one call running
	 * @param keysAtCap keys that run as many calls as the cap allows
	 */
	public record CapDescriptor(int cap, int activeKeys, int keysAtCap) {
	}

	/**
	 * One HTTP connection pool.
	 *
	 * @param client {@code http-components} (RestClient) or {@code reactor-netty}
	 * (WebClient)
	 * @param leased connections carrying a request now
	 * @param available idle connections kept open
	 * @param pending requests waiting for a connection
	 * @param maxConnections most connections across every host
	 * @param maxConnectionsPerRoute most connections to one host
	 */
	public record ConnectionPoolDescriptor(String client, int leased, int available, int pending, int maxConnections,
			int maxConnectionsPerRoute) {
	}

	/**
	 * Calls refused since start for one reason.
	 *
	 * @param source {@code rate-limit}, {@code concurrency} or {@code guard}
	 * @param reason why, such as {@code provider}, {@code max-queue} or
	 * {@code max-prompt-tokens}
	 * @param count how many since start
	 * @param last when the last one was, or {@code null} when none was
	 */
	public record RejectionDescriptor(String source, String reason, long count, @Nullable Instant last) {
	}

	/**
	 * Calls to a model held back because its provider said it is out of capacity.
	 *
	 * @param model the model family, or {@code *} for every model
	 * @param until when calls may go to the provider again
	 * @param reason what the provider said, such as {@code 429 Retry-After: 2}
	 */
	public record ProviderHoldDescriptor(String model, Instant until, String reason) {
	}

}
