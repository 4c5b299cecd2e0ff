package io.github.airesource.core.budget.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.airesource.core.budget.BudgetAdmission;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.redis.NestedScript;
import io.github.airesource.core.redis.RedisKeys;
import io.github.airesource.core.redis.ScriptCall;

import org.springframework.util.Assert;

/**
 * The Java side of the budget's Lua script ({@code budget.lua}): the keys and arguments
 * of each operation in the order the script reads them, and the reading of its answers.
 * The {@link RedisBudgetStore} runs the script; the joint admission
 * ({@link io.github.airesource.core.admission.redis.RedisJointAdmissionStore}) runs the
 * same script as a function ({@link #NESTED}), with the same keys and arguments built
 * here, inside a script that also admits the call against the rate limits. One place for
 * the protocol, so that both read the script's arguments and answers the same way.
 *
 * <p>
 * Instances are immutable and thread-safe.
 */
public final class BudgetScript {

	/** The budget's script, for scripts that run it as the function {@code budget}. */
	public static final NestedScript NESTED = NestedScript.fromClassPath("budget", BudgetScript.class, "budget.lua");

	/** Figures of one key's state: used, reserved and extra tokens and cost. */
	static final int FIGURES = 6;

	private final BudgetRedisKeys keys;

	/**
	 * Create the protocol for a key schema.
	 * @param keys the key schema of the Redis access
	 */
	public BudgetScript(RedisKeys keys) {
		this.keys = new BudgetRedisKeys(keys);
	}

	/**
	 * Return a lease in milliseconds, the unit of the script's clock.
	 * @param leaseTtl the lease
	 * @return the milliseconds
	 * @throws IllegalArgumentException when the lease is shorter than a millisecond
	 */
	public static long leaseMillis(Duration leaseTtl) {
		Assert.isTrue(leaseTtl != null && leaseTtl.toMillis() > 0, "leaseTtl must be at least one millisecond");
		return leaseTtl.toMillis();
	}

	/**
	 * Add the operation, keys and arguments of a reservation.
	 * @param call the call or part to add them to
	 * @param reservationId the reservation
	 * @param charges the charges, at least one
	 * @param leaseMillis the lease
	 * @param checkFallbackAt whether to answer degrade past a limit's fallback-at
	 * fraction
	 */
	public void reserve(ScriptCall call, String reservationId, List<BudgetCharge> charges, long leaseMillis,
			boolean checkFallbackAt) {
		call.arg("reserve").arg(reservationId).arg(leaseMillis).arg(checkFallbackAt ? 1 : 0);
		for (BudgetCharge charge : charges) {
			BudgetLimit limit = charge.limit();
			boolean fallbackCheck = checkFallbackAt && limit.fallbackAt() > 0;
			charge(call, limit, charge.key());
			call.arg(charge.allowance().maxTokensOrNone())
				.arg(charge.allowance().maxCostNanos())
				.arg(charge.tokens())
				.arg(charge.costNanos())
				.arg(fallbackCheck ? Double.toString(limit.fallbackAt()) : "0");
		}
	}

	/**
	 * Read the answer to a reservation.
	 * @param answer the script's answer
	 * @param at where the reservation's answer starts in it
	 * @param charges the charges that were asked
	 * @return the admission; {@link BudgetAdmission.Admitted} takes one element of the
	 * answer, the others nine
	 */
	public static BudgetAdmission admission(List<Object> answer, int at, List<BudgetCharge> charges) {
		int kind = number(answer, at).intValue();
		if (kind == 0) {
			return new BudgetAdmission.Admitted();
		}
		int index = number(answer, at + 1).intValue();
		BudgetUsage usage = usage(answer, at + 2, charges.get(index).limit());
		return (kind == 1) ? new BudgetAdmission.Refused(index, usage) : new BudgetAdmission.Degrade(index, usage);
	}

	/**
	 * Add the operation, keys and arguments of a settlement.
	 * @param call the call or part to add them to
	 * @param reservationId the reservation
	 * @param charges the charges that were reserved, at least one
	 * @param actualTokens tokens the call used
	 * @param actualCostNanos what the call cost
	 * @param leaseMillis the lease the reservation was made with
	 */
	public void settle(ScriptCall call, String reservationId, List<BudgetCharge> charges, long actualTokens,
			long actualCostNanos, long leaseMillis) {
		call.arg("settle").arg(reservationId).arg(leaseMillis).arg(actualTokens).arg(actualCostNanos);
		for (BudgetCharge charge : charges) {
			charge(call, charge.limit(), charge.key());
		}
	}

	/**
	 * Add the three keys of one charge and the arguments every write takes per charge.
	 */
	void charge(ScriptCall call, BudgetLimit limit, String key) {
		call.key(this.keys.counter(limit, key))
			.key(this.keys.leases(limit, key))
			.key(this.keys.top(limit))
			.arg(limit.period().toMillis())
			.arg(BudgetRedisKeys.rankedByCost(limit) ? 1 : 0)
			.arg(BudgetRedisKeys.member(key));
	}

	BudgetRedisKeys keys() {
		return this.keys;
	}

	static BudgetUsage usage(List<Object> answer, int at, BudgetLimit limit) {
		return usage(number(answer, at).longValue(), answer, at + 1, limit);
	}

	static BudgetUsage usage(long window, List<Object> answer, int at, BudgetLimit limit) {
		long[] figures = new long[FIGURES];
		for (int i = 0; i < FIGURES; i++) {
			figures[i] = number(answer, at + i).longValue();
		}
		return new BudgetUsage(figures[0], figures[1], figures[2], figures[3], figures[4], figures[5],
				Instant.ofEpochMilli(window), Instant.ofEpochMilli(window + limit.period().toMillis()));
	}

	static Number number(List<Object> answer, int at) {
		return (Number) answer.get(at);
	}

}
