package io.github.airesource.core.budget.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.github.airesource.core.budget.BudgetAdmission;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetStore;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.redis.RedisScript;
import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import org.springframework.util.Assert;

/**
 * Budget counters in Redis, shared by every instance that uses the same Redis and key
 * prefix. Semantics are the {@link BudgetStore} contract, exactly as the
 * {@link io.github.airesource.core.budget.InMemoryBudgetStore} keeps it.
 *
 * <p>
 * <strong>One round trip.</strong> Each of {@link #reserve}, {@link #settle},
 * {@link #grant}, {@link #reset}, {@link #usage} and {@link #top} is one call of one Lua
 * script ({@code budget.lua}, sent with {@code EVALSHA}, see {@link RedisScript}),
 * whatever the number of charges (a reserve or settle without charges needs none). Redis
 * runs a script atomically, so a reservation checks the user's, the tenant's and the
 * global limits and reserves all of them or none, with no other instance in between. Keys
 * are listed in the index only once touched in the current window, so a key that only
 * carries a reservation over from an earlier window is missing from {@link #top} until
 * its next call.
 *
 * <p>
 * <strong>Keys</strong> (after the prefix, every segment encoded by
 * {@link io.github.airesource.core.redis.RedisKeys}):
 * <ul>
 * <li>{@code budget:{admission}:counter:<limit>:<key>}, a hash: the start of the window
 * the counters belong to, used, reserved and granted tokens and nano-dollars, and one
 * field {@code lease:<id>} per reservation in flight with what it holds;</li>
 * <li>{@code budget:{admission}:leases:<limit>:<key>}, a sorted set of expiries: a
 * reservation's lease ({@code lease:<id>}) and, after settlement, its settled marker
 * ({@code settled:<id>}), kept until the lease would have ended or a lease from the
 * settlement, whichever is later, so that a repeated settle changes nothing;</li>
 * <li>{@code budget:{admission}:top:<limit>:<tokens|cost>}, a sorted set of the limit's
 * keys touched in the current window, scored by their use, for {@link #top}.</li>
 * </ul>
 * Every write brings the counters it touches up to date first: expired leases give back
 * what they held, and a new window forgets use and grants while reservations in flight
 * stay.
 *
 * <p>
 * <strong>One hash tag.</strong> Every budget key carries the tag {@code {admission}},
 * because one script must see every limit of a call; on Redis Cluster all admission state
 * therefore lives on one shard. (The read script of {@link #top} derives counter keys
 * from the index, all under the same tag.)
 *
 * <p>
 * <strong>TTLs.</strong> Every write sets the expiry of each key it touches: a counter
 * and its leases live until their window ends or their last lease or settled marker
 * expires, whichever is later, so a lease is never cut short; the index lives until its
 * window ends. Nothing outlives what it counts.
 *
 * <p>
 * <strong>A failed call's outcome is unknown</strong>: a reserve that timed out may still
 * be applied by Redis; its reservation then frees itself when its lease ends.
 *
 * <p>
 * <strong>Time.</strong> Window starts ({@code floor(now / period) * period}), lease
 * expiries and rollovers are computed inside the script from Redis's {@code TIME}, so
 * instances whose clocks disagree still share the same windows. The clock given here only
 * stamps failures for health.
 *
 * <p>
 * <strong>Failures.</strong> Each call waits at most {@link ResourceRedis#timeout()}; a
 * failure or timeout is counted in {@link #health()} and thrown at once as a
 * {@link RedisUnavailableException}, never retried, so the caller's failure mode applies.
 * Thread-safe and lock-free.
 */
public final class RedisBudgetStore implements BudgetStore {

	private static final RedisScript SCRIPT = RedisScript.fromClassPath(RedisBudgetStore.class, "budget.lua");

	private static final int FIGURES = 6;

	private final ResourceRedis redis;

	private final BudgetRedisKeys keys;

	private final RedisStoreHealth health;

	/**
	 * Create a store on a Redis.
	 * @param redis the library's Redis access
	 */
	public RedisBudgetStore(ResourceRedis redis) {
		this(redis, Clock.systemUTC());
	}

	/**
	 * Create a store on a Redis.
	 * @param redis the library's Redis access
	 * @param clock the clock that stamps failures in {@link #health()}; budget time is
	 * Redis's
	 */
	public RedisBudgetStore(ResourceRedis redis, Clock clock) {
		Assert.notNull(redis, "redis must not be null");
		Assert.notNull(clock, "clock must not be null");
		this.redis = redis;
		this.keys = new BudgetRedisKeys(redis.keys());
		this.health = new RedisStoreHealth("budget", clock);
	}

	/**
	 * Return the health of the Redis store.
	 * @return the health
	 */
	public RedisStoreHealth health() {
		return this.health;
	}

	@Override
	public BudgetAdmission reserve(String reservationId, List<BudgetCharge> charges, Duration leaseTtl,
			boolean checkFallbackAt) {
		Assert.notNull(reservationId, "reservationId must not be null");
		long lease = leaseMillis(leaseTtl);
		if (charges.isEmpty()) {
			return new BudgetAdmission.Admitted();
		}
		Call call = new Call("reserve").arg(reservationId).arg(lease).arg(checkFallbackAt ? 1 : 0);
		for (BudgetCharge charge : charges) {
			BudgetLimit limit = charge.limit();
			boolean fallbackCheck = checkFallbackAt && limit.fallbackAt() > 0;
			call.charge(limit, charge.key())
				.arg(charge.allowance().maxTokensOrNone())
				.arg(charge.allowance().maxCostNanos())
				.arg(charge.tokens())
				.arg(charge.costNanos())
				.arg(fallbackCheck ? Double.toString(limit.fallbackAt()) : "0");
		}
		List<Object> answer = call.run();
		int kind = number(answer, 0).intValue();
		if (kind == 0) {
			return new BudgetAdmission.Admitted();
		}
		int index = number(answer, 1).intValue();
		BudgetUsage usage = usage(answer, 2, charges.get(index).limit());
		return (kind == 1) ? new BudgetAdmission.Refused(index, usage) : new BudgetAdmission.Degrade(index, usage);
	}

	@Override
	public void settle(String reservationId, List<BudgetCharge> charges, long actualTokens, long actualCostNanos,
			Duration leaseTtl) {
		Assert.notNull(reservationId, "reservationId must not be null");
		Assert.isTrue(actualTokens >= 0 && actualCostNanos >= 0, "actual use must not be negative");
		long lease = leaseMillis(leaseTtl);
		if (charges.isEmpty()) {
			return;
		}
		Call call = new Call("settle").arg(reservationId).arg(lease).arg(actualTokens).arg(actualCostNanos);
		for (BudgetCharge charge : charges) {
			call.charge(charge.limit(), charge.key());
		}
		call.run();
	}

	@Override
	public BudgetUsage usage(BudgetLimit limit, String key) {
		List<Object> answer = new Call("usage").key(this.keys.counter(limit, key))
			.key(this.keys.leases(limit, key))
			.arg(limit.period().toMillis())
			.run();
		return usage(answer, 0, limit);
	}

	@Override
	public List<KeyUsage> top(BudgetLimit limit, int count) {
		Assert.isTrue(count >= 0, "count must not be negative");
		if (count == 0) {
			return List.of();
		}
		List<Object> answer = new Call("top").key(this.keys.top(limit))
			.arg(limit.period().toMillis())
			.arg(count)
			.arg(this.keys.counterBase(limit))
			.arg(this.keys.leasesBase(limit))
			.run();
		List<KeyUsage> top = new ArrayList<>();
		long window = number(answer, 0).longValue();
		for (int at = 1; at < answer.size(); at += 1 + FIGURES) {
			String key = BudgetRedisKeys.keyOf((byte[]) answer.get(at));
			top.add(new KeyUsage(key, usage(window, answer, at + 1, limit)));
		}
		return List.copyOf(top);
	}

	@Override
	public void reset(BudgetLimit limit, String key) {
		new Call("reset").charge(limit, key).run();
	}

	@Override
	public void grant(BudgetLimit limit, String key, long extraTokens, long extraCostNanos) {
		Assert.isTrue(extraTokens >= 0 && extraCostNanos >= 0, "grants must not be negative");
		new Call("grant").arg(extraTokens).arg(extraCostNanos).charge(limit, key).run();
	}

	private static long leaseMillis(Duration leaseTtl) {
		Assert.isTrue(leaseTtl != null && leaseTtl.toMillis() > 0, "leaseTtl must be at least one millisecond");
		return leaseTtl.toMillis();
	}

	private static BudgetUsage usage(List<Object> answer, int at, BudgetLimit limit) {
		return usage(number(answer, at).longValue(), answer, at + 1, limit);
	}

	private static BudgetUsage usage(long window, List<Object> answer, int at, BudgetLimit limit) {
		long[] figures = new long[FIGURES];
		for (int i = 0; i < FIGURES; i++) {
			figures[i] = number(answer, at + i).longValue();
		}
		return new BudgetUsage(figures[0], figures[1], figures[2], figures[3], figures[4], figures[5],
				Instant.ofEpochMilli(window), Instant.ofEpochMilli(window + limit.period().toMillis()));
	}

	private static Number number(List<Object> answer, int at) {
		return (Number) answer.get(at);
	}

	/**
	 * One call of the script: its keys and arguments, in the order {@code budget.lua}
	 * reads them.
	 */
	private final class Call {

		private final List<byte[]> keys = new ArrayList<>();

		private final List<byte[]> args = new ArrayList<>();

		Call(String operation) {
			arg(operation);
		}

		Call key(byte[] key) {
			this.keys.add(key);
			return this;
		}

		Call arg(String value) {
			return arg(ResourceRedis.bytes(value));
		}

		Call arg(long value) {
			return arg(Long.toString(value));
		}

		Call arg(byte[] value) {
			this.args.add(value);
			return this;
		}

		/**
		 * Add the three keys of one charge and the arguments every write takes per
		 * charge.
		 */
		Call charge(BudgetLimit limit, String key) {
			BudgetRedisKeys keys = RedisBudgetStore.this.keys;
			return key(keys.counter(limit, key)).key(keys.leases(limit, key))
				.key(keys.top(limit))
				.arg(limit.period().toMillis())
				.arg(BudgetRedisKeys.rankedByCost(limit) ? 1 : 0)
				.arg(BudgetRedisKeys.member(key));
		}

		List<Object> run() {
			ResourceRedis redis = RedisBudgetStore.this.redis;
			try {
				List<Object> answer = redis.await(SCRIPT.run(redis.commands(), ScriptOutputType.MULTI,
						this.keys.toArray(byte[][]::new), this.args.toArray(byte[][]::new)));
				RedisBudgetStore.this.health.succeeded();
				return answer;
			}
			catch (RedisUnavailableException ex) {
				RedisBudgetStore.this.health.failed(ex);
				throw ex;
			}
			catch (RedisException ex) {
				RedisUnavailableException unavailable = new RedisUnavailableException("Redis failed: " + ex, ex);
				RedisBudgetStore.this.health.failed(unavailable);
				throw unavailable;
			}
		}

	}

}
