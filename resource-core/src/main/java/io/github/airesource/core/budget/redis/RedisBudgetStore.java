package io.github.airesource.core.budget.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.github.airesource.core.budget.BudgetAdmission;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetStore;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.redis.RedisScript;
import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.redis.ScriptCall;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Budget counters in Redis, shared by every instance that uses the same Redis and key
 * prefix. Semantics are the {@link BudgetStore} contract, exactly as the
 * {@link io.github.airesource.core.budget.InMemoryBudgetStore} keeps it.
 *
 * <p>
 * <strong>One round trip.</strong> Each of {@link #reserve}, {@link #settle},
 * {@link #grant}, {@link #reset}, {@link #usage} and {@link #top} is one call of one Lua
 * script ({@code budget.lua}, sent with {@code EVALSHA}, see {@link RedisScript}; its
 * arguments are built by {@link BudgetScript}), whatever the number of charges (a reserve
 * or settle without charges needs none). Redis runs a script atomically, so a reservation
 * checks the user's, the tenant's and the global limits and reserves all of them or none,
 * with no other instance in between. Keys are listed in the index only once touched in
 * the current window, so a key that only carries a reservation over from an earlier
 * window is missing from {@link #top} until its next call.
 *
 * <p>
 * <strong>Keys</strong> (after the prefix, every segment encoded by
 * {@link io.github.airesource.core.redis.RedisKeys}):
 * <ul>
 * <li>{@code budget:{admission}:counter:<limit>:<key>}, a hash: the start of the window
 * the counters belong to, used, reserved and granted tokens and nano-dollars, and one
 * field {@code lease:<id>} per reservation in flight with what it holds;</li>
 * <li>{@code budget:{admission}:leases:<limit>:<key>}, a sorted set of expiries: a
 * reservation's lease ({@code lease:<id>}) until it ends and, when it ended unsettled,
 * its marker ({@code expired:<id>}) for an hour more, so that a late settle still charges
 * what the call used, once. A settle removes both, so a repeated settle finds neither and
 * changes nothing;</li>
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
 * and its leases live until their window ends or their last lease or expired-lease marker
 * expires, whichever is later, so a lease is never cut short; the index lives until its
 * window ends. Nothing outlives what it counts.
 *
 * <p>
 * <strong>A failed call's outcome is unknown</strong>: a reserve that timed out may still
 * be applied by Redis; its reservation then frees itself when its lease ends. A settle
 * that timed out may have been applied too; sending it again is safe, since it is
 * idempotent by reservation id.
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

	private final ResourceRedis redis;

	private final BudgetScript script;

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
		this.script = new BudgetScript(redis.keys());
		this.health = new RedisStoreHealth("budget", clock);
	}

	/**
	 * Return the health of the Redis store.
	 * @return the health
	 */
	public RedisStoreHealth health() {
		return this.health;
	}

	/**
	 * Return the Redis access the counters live in.
	 * @return the Redis access
	 */
	public ResourceRedis redis() {
		return this.redis;
	}

	@Override
	public BudgetAdmission reserve(String reservationId, List<BudgetCharge> charges, Duration leaseTtl,
			boolean checkFallbackAt) {
		Assert.notNull(reservationId, "reservationId must not be null");
		long lease = BudgetScript.leaseMillis(leaseTtl);
		if (charges.isEmpty()) {
			return new BudgetAdmission.Admitted();
		}
		ScriptCall call = new ScriptCall();
		this.script.reserve(call, reservationId, charges, lease, checkFallbackAt);
		return BudgetScript.admission(run(call), 0, charges);
	}

	@Override
	public void settle(String reservationId, List<BudgetCharge> charges, long actualTokens, long actualCostNanos,
			Duration leaseTtl) {
		ScriptCall call = settlement(reservationId, charges, actualTokens, actualCostNanos, leaseTtl);
		if (call != null) {
			run(call);
		}
	}

	/**
	 * Send the settlement without waiting for Redis's answer. This store's later commands
	 * on its one connection reach Redis after it, so its next reservation and reads see
	 * it.
	 */
	@Override
	public CompletableFuture<Void> settleWithoutWaiting(String reservationId, List<BudgetCharge> charges,
			long actualTokens, long actualCostNanos, Duration leaseTtl) {
		ScriptCall call = settlement(reservationId, charges, actualTokens, actualCostNanos, leaseTtl);
		return (call != null) ? call.send(this.redis, SCRIPT, this.health).thenApply((answer) -> null)
				: CompletableFuture.completedFuture(null);
	}

	@Nullable
	private ScriptCall settlement(String reservationId, List<BudgetCharge> charges, long actualTokens,
			long actualCostNanos, Duration leaseTtl) {
		Assert.notNull(reservationId, "reservationId must not be null");
		Assert.isTrue(actualTokens >= 0 && actualCostNanos >= 0, "actual use must not be negative");
		if (charges.isEmpty()) {
			return null;
		}
		ScriptCall call = new ScriptCall();
		this.script.settle(call, reservationId, charges, actualTokens, actualCostNanos,
				BudgetScript.leaseMillis(leaseTtl));
		return call;
	}

	@Override
	public BudgetUsage usage(BudgetLimit limit, String key) {
		BudgetRedisKeys keys = this.script.keys();
		List<Object> answer = run(new ScriptCall().arg("usage")
			.key(keys.counter(limit, key))
			.key(keys.leases(limit, key))
			.arg(limit.period().toMillis()));
		return BudgetScript.usage(answer, 0, limit);
	}

	@Override
	public List<KeyUsage> top(BudgetLimit limit, int count) {
		Assert.isTrue(count >= 0, "count must not be negative");
		if (count == 0) {
			return List.of();
		}
		BudgetRedisKeys keys = this.script.keys();
		List<Object> answer = run(new ScriptCall().arg("top")
			.key(keys.top(limit))
			.arg(limit.period().toMillis())
			.arg(count)
			.arg(keys.counterBase(limit))
			.arg(keys.leasesBase(limit)));
		List<KeyUsage> top = new ArrayList<>();
		long window = BudgetScript.number(answer, 0).longValue();
		for (int at = 1; at < answer.size(); at += 1 + BudgetScript.FIGURES) {
			String key = BudgetRedisKeys.keyOf((byte[]) answer.get(at));
			top.add(new KeyUsage(key, BudgetScript.usage(window, answer, at + 1, limit)));
		}
		return List.copyOf(top);
	}

	@Override
	public void reset(BudgetLimit limit, String key) {
		ScriptCall call = new ScriptCall().arg("reset");
		this.script.charge(call, limit, key);
		run(call);
	}

	@Override
	public void grant(BudgetLimit limit, String key, long extraTokens, long extraCostNanos) {
		Assert.isTrue(extraTokens >= 0 && extraCostNanos >= 0, "grants must not be negative");
		ScriptCall call = new ScriptCall().arg("grant").arg(extraTokens).arg(extraCostNanos);
		this.script.charge(call, limit, key);
		run(call);
	}

	private List<Object> run(ScriptCall call) {
		return call.run(this.redis, SCRIPT, this.health);
	}

}
