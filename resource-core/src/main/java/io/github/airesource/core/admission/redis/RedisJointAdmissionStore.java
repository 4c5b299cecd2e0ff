package io.github.airesource.core.admission.redis;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.github.airesource.core.budget.BudgetAdmission;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetStore;
import io.github.airesource.core.budget.redis.BudgetScript;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.ratelimit.Gcra;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimitDecision;
import io.github.airesource.core.ratelimit.RateLimitStore;
import io.github.airesource.core.ratelimit.redis.RateLimitScript;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.redis.RedisScript;
import io.github.airesource.core.redis.RedisStoreHealth;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.redis.ScriptCall;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * A call's budget reservation and rate-limit admission in one atomic Lua script and one
 * round trip, and their settlement in one more, on the Redis that a
 * {@link RedisBudgetStore} and a {@link RedisRateLimitStore} share. The state is theirs
 * (the same keys, under the one hash tag
 * {@value io.github.airesource.core.redis.RedisKeys#ADMISSION_TAG}) and so is the work:
 * the script ({@code admission.lua}) runs the two stores' own scripts, unchanged, as
 * functions ({@link BudgetScript#NESTED}, {@link RateLimitScript#NESTED}), with the keys
 * and arguments their own code builds, and only orders them: the budget reserves first,
 * then the rate limits take their capacity, and when they refuse, the reservation is
 * settled to nothing in the same step, so that a refusal by either holds nothing. The
 * answers are the stores' own; windows, leases, TTLs and Redis time are each store's.
 *
 * <p>
 * <strong>Failures</strong> are those of both stores at once: counted in the health of
 * each ({@code ai.resource.redis.failures} of {@code budget} and {@code ratelimit}) and
 * thrown as a {@link RedisUnavailableException} within {@link ResourceRedis#timeout()},
 * never retried. Thread-safe and lock-free.
 */
public final class RedisJointAdmissionStore {

	private static final RedisScript SCRIPT = RedisScript.fromClassPath(RedisJointAdmissionStore.class, "admission.lua",
			BudgetScript.NESTED, RateLimitScript.NESTED);

	private final ResourceRedis redis;

	private final BudgetScript budget;

	private final RateLimitScript rateLimit;

	private final RedisStoreHealth[] healths;

	private RedisJointAdmissionStore(RedisBudgetStore budgetStore, RedisRateLimitStore rateLimitStore) {
		this.redis = budgetStore.redis();
		this.budget = new BudgetScript(this.redis.keys());
		this.rateLimit = new RateLimitScript(this.redis.keys());
		this.healths = new RedisStoreHealth[] { budgetStore.health(), rateLimitStore.health() };
	}

	/**
	 * Return the joint store of a budget store and a rate-limit store, when both keep
	 * their state in Redis through the same Redis access (the same keys and timeout).
	 * @param budgetStore the budget store
	 * @param rateLimitStore the rate-limit store
	 * @return the joint store, or empty when the state is not in one Redis
	 */
	public static Optional<RedisJointAdmissionStore> of(BudgetStore budgetStore, RateLimitStore rateLimitStore) {
		if (budgetStore instanceof RedisBudgetStore budget && rateLimitStore instanceof RedisRateLimitStore rateLimit
				&& budget.redis() == rateLimit.redis()) {
			return Optional.of(new RedisJointAdmissionStore(budget, rateLimit));
		}
		return Optional.empty();
	}

	/**
	 * Reserve a call's budget and take its rate-limit capacity, all or nothing, in one
	 * round trip: {@link BudgetStore#reserve} and then {@link RateLimitStore#acquire} as
	 * one atomic step.
	 * @param reservationId the budget reservation's id
	 * @param budgetCharges the budget charges, at least one
	 * @param leaseTtl how long the reservation holds without settlement
	 * @param checkFallbackAt as for {@link BudgetStore#reserve}
	 * @param rateLimitCharges the rate-limit charges, at least one, none larger than its
	 * limit's whole capacity ({@link Gcra#neverFits})
	 * @param maxWait the longest the call may wait for its capacity
	 * @return both answers
	 * @throws RedisUnavailableException when Redis fails or does not answer in time
	 */
	public Decision admit(String reservationId, List<BudgetCharge> budgetCharges, Duration leaseTtl,
			boolean checkFallbackAt, List<RateLimitCharge> rateLimitCharges, Duration maxWait) {
		Assert.notNull(reservationId, "reservationId must not be null");
		Assert.isTrue(!budgetCharges.isEmpty() && !rateLimitCharges.isEmpty(),
				"a joint admission needs budget and rate-limit charges");
		Assert.isTrue(maxWait != null && !maxWait.isNegative(), "maxWait must not be negative");
		Assert.isNull(Gcra.neverFits(rateLimitCharges), "a rate-limit charge can never fit: refuse it without Redis");
		long lease = BudgetScript.leaseMillis(leaseTtl);
		ScriptCall reservation = new ScriptCall();
		this.budget.reserve(reservation, reservationId, budgetCharges, lease, checkFallbackAt);
		ScriptCall undoing = new ScriptCall();
		this.budget.settle(undoing, reservationId, budgetCharges, 0, 0, lease);
		ScriptCall acquisition = new ScriptCall();
		RateLimitScript.Acquisition buckets = this.rateLimit.acquire(acquisition, rateLimitCharges, maxWait);
		List<Object> answer = run("admit", reservation, undoing, acquisition);
		BudgetAdmission budget = BudgetScript.admission(answer, 0, budgetCharges);
		if (!(budget instanceof BudgetAdmission.Admitted)) {
			return new Decision(budget, null);
		}
		return new Decision(budget, RateLimitScript.decision(buckets, answer, 1));
	}

	/**
	 * Settle a call's budget reservation and correct its rate-limit charges in one round
	 * trip: {@link BudgetStore#settle} and {@link RateLimitStore#adjust} as one atomic
	 * step. The budget's settlement is idempotent as the store's is. Sent without waiting
	 * for the answer: a call need not wait for its settlement, and the commands of one
	 * Redis access reach Redis in the order they are sent, so the next command of this
	 * instance (the next admission, a read of a budget's usage) already sees it.
	 * @param reservationId the budget reservation
	 * @param budgetCharges the budget charges that were reserved, at least one
	 * @param actualTokens tokens the call used, prompt plus completion
	 * @param actualCostNanos what the call cost
	 * @param leaseTtl the lease the reservation was made with
	 * @param rateLimitCharges the rate-limit charges the call took
	 * @param requests requests to add to them (negative to give back)
	 * @param tokens tokens to add to them (negative to give back)
	 * @param costNanos nano-dollars to add to them (negative to give back)
	 * @return completed when Redis has settled; or with a
	 * {@link RedisUnavailableException} when Redis fails or does not answer in time
	 */
	public CompletableFuture<Void> settle(String reservationId, List<BudgetCharge> budgetCharges, long actualTokens,
			long actualCostNanos, Duration leaseTtl, List<RateLimitCharge> rateLimitCharges, long requests, long tokens,
			long costNanos) {
		Assert.notNull(reservationId, "reservationId must not be null");
		Assert.isTrue(!budgetCharges.isEmpty(), "a joint settlement needs budget charges");
		Assert.isTrue(actualTokens >= 0 && actualCostNanos >= 0, "actual use must not be negative");
		ScriptCall settlement = new ScriptCall();
		this.budget.settle(settlement, reservationId, budgetCharges, actualTokens, actualCostNanos,
				BudgetScript.leaseMillis(leaseTtl));
		ScriptCall adjustment = new ScriptCall();
		this.rateLimit.adjust(adjustment, rateLimitCharges, requests, tokens, costNanos);
		return call("settle", settlement, adjustment).send(this.redis, SCRIPT, this.healths)
			.thenApply((answer) -> null);
	}

	/**
	 * Run the script: the operation, how many keys and arguments each part has, then the
	 * parts.
	 */
	private List<Object> run(String operation, ScriptCall... parts) {
		return call(operation, parts).run(this.redis, SCRIPT, this.healths);
	}

	private static ScriptCall call(String operation, ScriptCall... parts) {
		ScriptCall call = new ScriptCall().arg(operation).arg(parts.length);
		for (ScriptCall part : parts) {
			call.arg(part.keyCount()).arg(part.argCount());
		}
		for (ScriptCall part : parts) {
			call.append(part);
		}
		return call;
	}

	/**
	 * What a joint admission answered.
	 *
	 * @param budget the budget's answer; unless {@link BudgetAdmission.Admitted}, nothing
	 * was reserved and no capacity taken
	 * @param rateLimit the rate limits' answer when the budget fitted, else {@code null};
	 * when {@link RateLimitDecision.Refused}, nothing was reserved either
	 */
	public record Decision(BudgetAdmission budget, @Nullable RateLimitDecision rateLimit) {
	}

}
