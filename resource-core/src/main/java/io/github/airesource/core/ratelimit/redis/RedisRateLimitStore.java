package io.github.airesource.core.ratelimit.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.github.airesource.core.ratelimit.Gcra;
import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimitDecision;
import io.github.airesource.core.ratelimit.RateLimitState;
import io.github.airesource.core.ratelimit.RateLimitStore;
import io.github.airesource.core.redis.RedisScript;
import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.redis.ScriptCall;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Rate-limit buckets in Redis, shared by every instance that uses the same Redis and key
 * prefix. Semantics are the {@link RateLimitStore} contract, with the same arithmetic
 * ({@link Gcra}, in microseconds) as the
 * {@link io.github.airesource.core.ratelimit.InMemoryRateLimitStore}, so both give the
 * same answers.
 *
 * <p>
 * <strong>One round trip.</strong> Each of {@link #acquire}, {@link #adjust} and
 * {@link #state} is one call of one Lua script ({@code ratelimit.lua}, sent with
 * {@code EVALSHA}, see {@link RedisScript}; its arguments are built by
 * {@link RateLimitScript}), whatever the number of limits and dimensions. Redis runs a
 * script atomically, so an acquire checks the user's, the tenant's and the global limits
 * and takes all of them or none, with no other instance in between. A call that cannot
 * touch Redis usefully needs no round trip: no charges, an adjust of nothing, or a charge
 * larger than its limit's whole capacity (refused at once).
 *
 * <p>
 * <strong>Keys</strong> (after the prefix, every id encoded by
 * {@link io.github.airesource.core.redis.RedisKeys}):
 * {@code ratelimit:{admission}:<requests|tokens|cost>:<limit>:<key>}, a string holding
 * the bucket's theoretical arrival time in epoch microseconds. A missing key is a full
 * bucket, so every write sets the key's TTL to the time until its bucket is full again,
 * and a refund that fills a bucket deletes its key. Nothing outlives what it limits.
 *
 * <p>
 * <strong>Time.</strong> Every time is computed inside the script from Redis's
 * {@code TIME}, so instances whose clocks disagree still share the same buckets. The
 * products of amounts and periods, which would lose digits in Lua's doubles, are computed
 * here, exactly, and sent as intervals. The clock given here only stamps failures for
 * health.
 *
 * <p>
 * <strong>Failures.</strong> Each call waits at most {@link ResourceRedis#timeout()}; a
 * failure or timeout is counted in {@link #health()} and thrown at once as a
 * {@link RedisUnavailableException}, never retried, so the caller's failure mode applies.
 * A call the caller gave up on is cancelled and never sent later (for example after a
 * reconnect); one Redis had already received may still have been applied: its capacity
 * then flows back within the limit's period. Thread-safe and lock-free.
 */
public final class RedisRateLimitStore implements RateLimitStore {

	private static final RedisScript SCRIPT = RedisScript.fromClassPath(RedisRateLimitStore.class, "ratelimit.lua");

	private final ResourceRedis redis;

	private final RateLimitScript script;

	private final RedisStoreHealth health;

	/**
	 * Create a store on a Redis.
	 * @param redis the library's Redis access
	 */
	public RedisRateLimitStore(ResourceRedis redis) {
		this(redis, Clock.systemUTC());
	}

	/**
	 * Create a store on a Redis.
	 * @param redis the library's Redis access
	 * @param clock the clock that stamps failures in {@link #health()}; bucket time is
	 * Redis's
	 */
	public RedisRateLimitStore(ResourceRedis redis, Clock clock) {
		Assert.notNull(redis, "redis must not be null");
		Assert.notNull(clock, "clock must not be null");
		this.redis = redis;
		this.script = new RateLimitScript(redis.keys());
		this.health = new RedisStoreHealth("ratelimit", clock);
	}

	/**
	 * Return the health of the Redis store.
	 * @return the health
	 */
	public RedisStoreHealth health() {
		return this.health;
	}

	/**
	 * Return the Redis access the buckets live in.
	 * @return the Redis access
	 */
	public ResourceRedis redis() {
		return this.redis;
	}

	@Override
	public RateLimitDecision acquire(List<RateLimitCharge> charges, Duration maxWait) {
		Assert.notNull(charges, "charges must not be null");
		Assert.isTrue(maxWait != null && !maxWait.isNegative(), "maxWait must not be negative");
		RateLimitDecision.Refused never = Gcra.neverFits(charges);
		if (never != null) {
			return never;
		}
		if (charges.isEmpty()) {
			return new RateLimitDecision.Admitted(Duration.ZERO, List.of());
		}
		ScriptCall call = new ScriptCall();
		RateLimitScript.Acquisition acquisition = this.script.acquire(call, charges, maxWait);
		return RateLimitScript.decision(acquisition, run(call), 0);
	}

	@Override
	public void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		Assert.notNull(charges, "charges must not be null");
		ScriptCall call = new ScriptCall();
		if (this.script.adjust(call, charges, requests, tokens, costNanos)) {
			run(call);
		}
	}

	/**
	 * Send the adjustment without waiting for Redis's answer. This store's later commands
	 * on its one connection reach Redis after it, so its next admission sees it.
	 */
	@Override
	public CompletableFuture<Void> adjustWithoutWaiting(@Nullable RateLimitDecision.Admitted admitted,
			List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		Assert.notNull(charges, "charges must not be null");
		ScriptCall call = new ScriptCall();
		if (!this.script.adjust(call, charges, requests, tokens, costNanos)) {
			return CompletableFuture.completedFuture(null);
		}
		return call.send(this.redis, SCRIPT, this.health).thenApply((answer) -> null);
	}

	@Override
	public List<RateLimitState> state(RateLimit limit, String key) {
		Assert.notNull(limit, "limit must not be null");
		Assert.notNull(key, "key must not be null");
		ScriptCall call = new ScriptCall();
		List<RateDimension> counted = this.script.state(call, limit, key);
		List<Object> answer = run(call);
		long now = RateLimitScript.number(answer, 0);
		List<RateLimitState> states = new ArrayList<>(counted.size());
		for (int at = 0; at < counted.size(); at++) {
			states.add(Gcra.state(limit, key, counted.get(at), RateLimitScript.number(answer, 1 + 2 * at),
					RateLimitScript.number(answer, 2 + 2 * at), now));
		}
		return states;
	}

	private List<Object> run(ScriptCall call) {
		return call.run(this.redis, SCRIPT, this.health);
	}

}
