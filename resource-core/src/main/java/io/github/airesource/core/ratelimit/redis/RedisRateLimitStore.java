package io.github.airesource.core.ratelimit.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

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
 * {@code EVALSHA}, see {@link RedisScript}), whatever the number of limits and
 * dimensions. Redis runs a script atomically, so an acquire checks the user's, the
 * tenant's and the global limits and takes all of them or none, with no other instance in
 * between. A call that cannot touch Redis usefully needs no round trip: no charges, an
 * adjust of nothing, or a charge larger than its limit's whole capacity (refused at
 * once).
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

	private static final RateDimension[] DIMENSIONS = RateDimension.values();

	private final ResourceRedis redis;

	private final RateLimitRedisKeys keys;

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
		this.keys = new RateLimitRedisKeys(redis.keys());
		this.health = new RedisStoreHealth("ratelimit", clock);
	}

	/**
	 * Return the health of the Redis store.
	 * @return the health
	 */
	public RedisStoreHealth health() {
		return this.health;
	}

	@Override
	public RateLimitDecision acquire(List<RateLimitCharge> charges, Duration maxWait) {
		Assert.notNull(charges, "charges must not be null");
		long maxWaitMicros = Gcra.toMicros(maxWait);
		RateLimitDecision.Refused never = Gcra.neverFits(charges);
		if (never != null) {
			return never;
		}
		if (charges.isEmpty()) {
			return new RateLimitDecision.Admitted(Duration.ZERO, List.of());
		}
		Call call = new Call("acquire").arg(maxWaitMicros);
		List<Bucket> buckets = new ArrayList<>();
		for (int i = 0; i < charges.size(); i++) {
			RateLimitCharge charge = charges.get(i);
			RateLimit limit = charge.limit();
			for (RateDimension dimension : DIMENSIONS) {
				if (limit.capacity(dimension) == null) {
					continue;
				}
				long amount = charge.amount(dimension);
				Gcra.Interval interval = (amount != 0) ? Gcra.interval(limit, dimension, amount)
						: new Gcra.Interval(0, 0);
				buckets.add(new Bucket(i, charge, dimension));
				call.key(this.keys.bucket(limit, charge.key(), dimension))
					.arg(Gcra.periodMicros(limit))
					.arg(interval.micros())
					.arg(interval.fraction())
					.arg(Gcra.denominator(limit, dimension));
			}
		}
		List<Object> answer = call.run();
		if (number(answer, 0) != 0) {
			Bucket longest = buckets.get((int) number(answer, 1));
			return new RateLimitDecision.Refused(longest.index(), longest.dimension(),
					Gcra.duration(number(answer, 2)));
		}
		long now = number(answer, 2);
		List<RateLimitState> states = new ArrayList<>(buckets.size());
		for (int at = 0; at < buckets.size(); at++) {
			Bucket bucket = buckets.get(at);
			states.add(Gcra.state(bucket.charge().limit(), bucket.charge().key(), bucket.dimension(),
					number(answer, 3 + 2 * at), number(answer, 4 + 2 * at), now));
		}
		return new RateLimitDecision.Admitted(Gcra.duration(number(answer, 1)), states);
	}

	@Override
	public void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		Assert.notNull(charges, "charges must not be null");
		Call call = new Call("adjust");
		for (RateLimitCharge charge : charges) {
			RateLimit limit = charge.limit();
			for (RateDimension dimension : DIMENSIONS) {
				long amount = switch (dimension) {
					case REQUESTS -> requests;
					case TOKENS -> tokens;
					case COST -> costNanos;
				};
				if (limit.capacity(dimension) != null && amount != 0) {
					Gcra.Interval interval = Gcra.interval(limit, dimension, amount);
					call.key(this.keys.bucket(limit, charge.key(), dimension))
						.arg(interval.micros())
						.arg(interval.fraction())
						.arg(Gcra.denominator(limit, dimension));
				}
			}
		}
		if (call.hasKeys()) {
			call.run();
		}
	}

	@Override
	public List<RateLimitState> state(RateLimit limit, String key) {
		Assert.notNull(limit, "limit must not be null");
		Assert.notNull(key, "key must not be null");
		Call call = new Call("state");
		List<RateDimension> counted = new ArrayList<>(DIMENSIONS.length);
		for (RateDimension dimension : DIMENSIONS) {
			if (limit.capacity(dimension) != null) {
				counted.add(dimension);
				call.key(this.keys.bucket(limit, key, dimension)).arg(Gcra.denominator(limit, dimension));
			}
		}
		List<Object> answer = call.run();
		long now = number(answer, 0);
		List<RateLimitState> states = new ArrayList<>(counted.size());
		for (int at = 0; at < counted.size(); at++) {
			states.add(Gcra.state(limit, key, counted.get(at), number(answer, 1 + 2 * at), number(answer, 2 + 2 * at),
					now));
		}
		return states;
	}

	private static long number(List<Object> answer, int at) {
		return ((Number) answer.get(at)).longValue();
	}

	/**
	 * One bucket of a call, in the order its key is sent: charges in order, each
	 * dimension the charge's limit counts in {@link RateDimension} order, as the memory
	 * store walks them.
	 */
	private record Bucket(int index, RateLimitCharge charge, RateDimension dimension) {
	}

	/**
	 * One call of the script: its keys and arguments, in the order {@code ratelimit.lua}
	 * reads them.
	 */
	private final class Call {

		private final List<byte[]> keys = new ArrayList<>();

		private final List<byte[]> args = new ArrayList<>();

		Call(String operation) {
			this.args.add(ResourceRedis.bytes(operation));
			arg(Gcra.MAX_AHEAD_MICROS);
		}

		Call key(byte[] key) {
			this.keys.add(key);
			return this;
		}

		Call arg(long value) {
			this.args.add(ResourceRedis.bytes(Long.toString(value)));
			return this;
		}

		boolean hasKeys() {
			return !this.keys.isEmpty();
		}

		List<Object> run() {
			ResourceRedis redis = RedisRateLimitStore.this.redis;
			RedisStoreHealth health = RedisRateLimitStore.this.health;
			try {
				List<Object> answer = redis.await(SCRIPT.run(redis.commands(), ScriptOutputType.MULTI,
						this.keys.toArray(byte[][]::new), this.args.toArray(byte[][]::new)));
				health.succeeded();
				return answer;
			}
			catch (RedisUnavailableException ex) {
				health.failed(ex);
				throw ex;
			}
			catch (RedisException ex) {
				RedisUnavailableException unavailable = new RedisUnavailableException("Redis failed: " + ex, ex);
				health.failed(unavailable);
				throw unavailable;
			}
		}

	}

}
