package io.github.airesource.core.ratelimit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.airesource.core.ratelimit.Gcra;
import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimitDecision;
import io.github.airesource.core.ratelimit.RateLimitState;
import io.github.airesource.core.redis.NestedScript;
import io.github.airesource.core.redis.RedisKeys;
import io.github.airesource.core.redis.ScriptCall;

/**
 * The Java side of the rate limits' Lua script ({@code ratelimit.lua}): the buckets and
 * arguments of each operation in the order the script reads them, and the reading of its
 * answers. The {@link RedisRateLimitStore} runs the script; the joint admission
 * ({@link io.github.airesource.core.admission.redis.RedisJointAdmissionStore}) runs the
 * same script as a function ({@link #NESTED}), with the same keys and arguments built
 * here, inside a script that also reserves the call's budget. One place for the protocol,
 * so that both read the script's arguments and answers the same way.
 *
 * <p>
 * Instances are immutable and thread-safe.
 */
public final class RateLimitScript {

	/**
	 * The rate limits' script, for scripts that run it as the function {@code ratelimit}.
	 */
	public static final NestedScript NESTED = NestedScript.fromClassPath("ratelimit", RateLimitScript.class,
			"ratelimit.lua");

	private static final RateDimension[] DIMENSIONS = RateDimension.values();

	private final RateLimitRedisKeys keys;

	/**
	 * Create the protocol for a key schema.
	 * @param keys the key schema of the Redis access
	 */
	public RateLimitScript(RedisKeys keys) {
		this.keys = new RateLimitRedisKeys(keys);
	}

	/**
	 * Add the buckets and arguments of an acquisition: every dimension each charge's
	 * limit counts.
	 * @param call the call or part to add them to
	 * @param charges the charges, none of which asks for more than its limit's capacity
	 * ({@link Gcra#neverFits})
	 * @param maxWait the longest the caller may wait
	 * @return the buckets in the order they were added, to read the answer with
	 */
	public Acquisition acquire(ScriptCall call, List<RateLimitCharge> charges, Duration maxWait) {
		call.arg("acquire").arg(Gcra.MAX_AHEAD_MICROS).arg(Gcra.toMicros(maxWait));
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
		return new Acquisition(buckets);
	}

	/**
	 * Read the answer to an acquisition.
	 * @param acquisition what was asked
	 * @param answer the script's answer
	 * @param at where the acquisition's answer starts in it
	 * @return the decision
	 */
	public static RateLimitDecision decision(Acquisition acquisition, List<Object> answer, int at) {
		List<Bucket> buckets = acquisition.buckets;
		if (number(answer, at) != 0) {
			Bucket longest = buckets.get((int) number(answer, at + 1));
			return new RateLimitDecision.Refused(longest.index(), longest.dimension(),
					Gcra.duration(number(answer, at + 2)));
		}
		long now = number(answer, at + 2);
		List<RateLimitState> states = new ArrayList<>(buckets.size());
		for (int i = 0; i < buckets.size(); i++) {
			Bucket bucket = buckets.get(i);
			states.add(Gcra.state(bucket.charge().limit(), bucket.charge().key(), bucket.dimension(),
					number(answer, at + 3 + 2 * i), number(answer, at + 4 + 2 * i), now));
		}
		return new RateLimitDecision.Admitted(Gcra.duration(number(answer, at + 1)), states);
	}

	/**
	 * Add the operation, buckets and arguments of an adjustment: every dimension a
	 * charge's limit counts and the adjustment changes.
	 * @param call the call or part to add them to
	 * @param charges the charges the call took
	 * @param requests requests to add (negative to give back)
	 * @param tokens tokens to add (negative to give back)
	 * @param costNanos nano-dollars to add (negative to give back)
	 * @return whether any bucket changes; an adjustment of none needs no script
	 */
	public boolean adjust(ScriptCall call, List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
		call.arg("adjust").arg(Gcra.MAX_AHEAD_MICROS);
		boolean any = false;
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
					any = true;
				}
			}
		}
		return any;
	}

	/**
	 * Add the operation, buckets and arguments of a read of one key's state.
	 * @return the dimensions in the order they were added
	 */
	List<RateDimension> state(ScriptCall call, RateLimit limit, String key) {
		call.arg("state").arg(Gcra.MAX_AHEAD_MICROS);
		List<RateDimension> counted = new ArrayList<>(DIMENSIONS.length);
		for (RateDimension dimension : DIMENSIONS) {
			if (limit.capacity(dimension) != null) {
				counted.add(dimension);
				call.key(this.keys.bucket(limit, key, dimension)).arg(Gcra.denominator(limit, dimension));
			}
		}
		return counted;
	}

	static long number(List<Object> answer, int at) {
		return ((Number) answer.get(at)).longValue();
	}

	/**
	 * The buckets of one acquisition, in the order their keys were sent: charges in
	 * order, each dimension the charge's limit counts in {@link RateDimension} order, as
	 * the memory store walks them. Opaque outside this class.
	 */
	public static final class Acquisition {

		private final List<Bucket> buckets;

		private Acquisition(List<Bucket> buckets) {
			this.buckets = buckets;
		}

	}

	/**
	 * One bucket of a call.
	 */
	private record Bucket(int index, RateLimitCharge charge, RateDimension dimension) {
	}

}
