package io.github.airesource.core.alerts;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetStore.KeyUsage;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencySnapshot;
import io.github.airesource.core.ratelimit.ProviderHold;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.ledger.UsageTotals;

import org.springframework.lang.Nullable;

/**
 * The built-in alert rules. Each compares one figure with its threshold; the rule names
 * are the property names under {@code ai.resource.alerts.thresholds}.
 */
public final class AlertRules {

	/** Heap used as a fraction of the maximum. */
	public static final String HEAP_USAGE = "heap-usage";

	/** Tokens in the last minute. */
	public static final String TOKENS_PER_MINUTE = "tokens-per-minute";

	/** USD in the last hour. */
	public static final String COST_PER_HOUR = "cost-per-hour";

	/** Failed calls over calls in the last minute. */
	public static final String ERROR_RATE = "error-rate";

	/** p95 latency of the last minute's model calls, in milliseconds. */
	public static final String SLOW_CALLS = "slow-calls";

	/** The highest used fraction of any budget key. */
	public static final String BUDGET_USED = "budget-used";

	/** Hours until the soonest budget exhaustion at the last hour's rate. */
	public static final String BUDGET_EXHAUSTION_HOURS = "budget-exhaustion-hours";

	/** The lowest hit ratio of any cache since the last evaluation. */
	public static final String CACHE_HIT_RATIO = "cache-hit-ratio";

	/** Queued calls over the bulkhead's queue capacity. */
	public static final String BULKHEAD_QUEUE = "bulkhead-queue";

	/** Provider rate-limit holds in place. */
	public static final String PROVIDER_HOLDS = "provider-holds";

	private AlertRules() {
	}

	/**
	 * Create a rule from a name, a threshold and a measurement.
	 * @param name the name
	 * @param threshold the threshold
	 * @param reading the measurement, returning {@code null} when there is nothing to
	 * measure
	 * @return the rule
	 */
	public static AlertRule of(String name, double threshold, Supplier<AlertReading> reading) {
		return new AlertRule() {

			@Override
			public String name() {
				return name;
			}

			@Override
			public double threshold() {
				return threshold;
			}

			@Override
			@Nullable
			public AlertReading read() {
				return reading.get();
			}

			@Override
			public String toString() {
				return name + " (" + threshold + ")";
			}

		};
	}

	/**
	 * Heap in use after the last garbage collection as a fraction of the maximum heap:
	 * the heap pools' collection usage (what survived, not garbage waiting to be
	 * collected, so a busy but healthy heap does not page anyone), or the heap's current
	 * use before the first collection.
	 * @param threshold fraction, such as 0.85
	 * @return the rule
	 */
	public static AlertRule heapUsage(double threshold) {
		return heapUsage(threshold, AlertRules::heapAfterGc);
	}

	private static MemoryUsage heapAfterGc() {
		MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
		long afterGc = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
				MemoryUsage collected = pool.getCollectionUsage();
				if (collected != null) {
					afterGc += collected.getUsed();
				}
			}
		}
		if (afterGc == 0) {
			return heap;
		}
		long max = (heap.getMax() > 0) ? heap.getMax() : heap.getCommitted();
		return new MemoryUsage(-1, Math.min(afterGc, max), Math.max(heap.getCommitted(), Math.min(afterGc, max)),
				heap.getMax());
	}

	/**
	 * Heap in use as a fraction of the maximum heap.
	 * @param threshold fraction, such as 0.85
	 * @param heap the heap figures
	 * @return the rule
	 */
	public static AlertRule heapUsage(double threshold, Supplier<MemoryUsage> heap) {
		return of(HEAP_USAGE, threshold, () -> {
			MemoryUsage usage = heap.get();
			long max = (usage.getMax() > 0) ? usage.getMax() : usage.getCommitted();
			double value = (max > 0) ? (double) usage.getUsed() / max : 0;
			return new AlertReading(value, value >= threshold,
					format("heap %.0f%% used (%d MB of %d MB)", value * 100, usage.getUsed() >> 20, max >> 20));
		});
	}

	/**
	 * Tokens (prompt plus completion) of all calls in the last minute.
	 * @param ledger the usage ledger
	 * @param threshold tokens
	 * @return the rule
	 */
	public static AlertRule tokensPerMinute(UsageLedger ledger, double threshold) {
		return of(TOKENS_PER_MINUTE, threshold, () -> {
			long tokens = ledger.report(0).global().lastMinute().totalTokens();
			return new AlertReading(tokens, tokens >= threshold,
					format("%d tokens in the last minute (threshold %.0f)", tokens, threshold));
		});
	}

	/**
	 * Cost in USD of all priced calls in the last hour.
	 * @param ledger the usage ledger
	 * @param threshold USD
	 * @return the rule
	 */
	public static AlertRule costPerHour(UsageLedger ledger, double threshold) {
		return of(COST_PER_HOUR, threshold, () -> {
			double cost = ledger.report(0).global().lastHour().cost().doubleValue();
			return new AlertReading(cost, cost >= threshold,
					format("$%.4f spent in the last hour (threshold $%.2f)", cost, threshold));
		});
	}

	/**
	 * Failed, cancelled or rejected calls over all calls of the last minute, once at
	 * least {@code minCalls} were made, so one failure of two calls does not page anyone.
	 * @param ledger the usage ledger
	 * @param threshold fraction, such as 0.05
	 * @param minCalls the fewest calls in the minute for the rule to judge
	 * @return the rule
	 */
	public static AlertRule errorRate(UsageLedger ledger, double threshold, int minCalls) {
		return of(ERROR_RATE, threshold, () -> {
			UsageTotals minute = ledger.report(0).global().lastMinute();
			if (minute.calls() == 0 || minute.calls() < minCalls) {
				return null;
			}
			double rate = (double) minute.failedCalls() / minute.calls();
			return new AlertReading(rate, rate >= threshold, format("%d of %d calls failed in the last minute (%.1f%%)",
					minute.failedCalls(), minute.calls(), rate * 100));
		});
	}

	/**
	 * The 95th percentile latency of the model calls in the latency window.
	 * @param latencies the latency window
	 * @param threshold the bound
	 * @return the rule, its value in milliseconds
	 */
	public static AlertRule slowCalls(LatencyWindow latencies, Duration threshold) {
		return of(SLOW_CALLS, threshold.toMillis(), () -> {
			Duration p95 = latencies.percentile(0.95);
			if (p95 == null) {
				return null;
			}
			return new AlertReading(p95.toMillis(), p95.compareTo(threshold) >= 0,
					format("p95 latency %d ms (bound %d ms)", p95.toMillis(), threshold.toMillis()));
		});
	}

	/**
	 * The highest used (or reserved) fraction of any budget key: the global key of a
	 * global limit, the most used keys of a scoped one.
	 * @param budgets the budgets
	 * @param threshold fraction, such as 0.8
	 * @return the rule
	 */
	public static AlertRule budgetUsed(Budgets budgets, double threshold) {
		return of(BUDGET_USED, threshold, () -> {
			double highest = -1;
			String where = "";
			for (BudgetLimit limit : budgets.limits()) {
				if (limit.scope() == ScopeType.GLOBAL) {
					BudgetUsage usage = budgets.store().usage(limit, CallScope.GLOBAL_ID);
					double used = usage.usedFraction(budgets.allowanceOf(limit, CallScope.GLOBAL_ID));
					if (used > highest) {
						highest = used;
						where = limit.name() + " (" + CallScope.GLOBAL_ID + ")";
					}
				}
				else {
					for (KeyUsage key : budgets.store().top(limit, 1)) {
						double used = key.usage().usedFraction(budgets.allowanceOf(limit, key.key()));
						if (used > highest) {
							highest = used;
							where = limit.name() + " (" + key.key() + ")";
						}
					}
				}
			}
			if (highest < 0) {
				return null;
			}
			return new AlertReading(highest, highest >= threshold,
					format("budget %s is %.0f%% used", where, highest * 100));
		});
	}

	/**
	 * The soonest budget exhaustion at the last hour's rate, counting only those that
	 * come before the limit's window resets.
	 * @param forecaster the forecaster
	 * @param thresholdHours hours; the rule fires when a limit runs out sooner
	 * @return the rule, its value in hours
	 */
	public static AlertRule budgetExhaustion(BudgetForecaster forecaster, double thresholdHours) {
		return of(BUDGET_EXHAUSTION_HOURS, thresholdHours, () -> {
			for (BudgetForecast forecast : forecaster.forecasts()) {
				if (forecast.hoursToExhaustion() != null && forecast.exhaustedBeforeReset()) {
					double hours = forecast.hoursToExhaustion();
					return new AlertReading(hours, hours < thresholdHours, forecast.message());
				}
			}
			return null;
		});
	}

	/**
	 * The lowest hit ratio of any cache over the lookups since the previous evaluation,
	 * once a cache had at least {@code minLookups} of them: a collapse (a changed prompt
	 * template, a flushed store) shows at once rather than diluted by the cache's
	 * history.
	 * @param caches the caches
	 * @param threshold the lowest acceptable ratio, such as 0.2
	 * @param minLookups the fewest lookups since the previous evaluation for a cache to
	 * be judged
	 * @return the rule
	 */
	public static AlertRule cacheHitRatio(List<ManagedCache> caches, double threshold, long minLookups) {
		Map<String, long[]> previous = new ConcurrentHashMap<>();
		return of(CACHE_HIT_RATIO, threshold, () -> {
			double lowest = 2;
			String where = "";
			long lookupsOfLowest = 0;
			for (ManagedCache cache : caches) {
				CacheStatistics.Snapshot now = cache.statistics().snapshot();
				long[] before = previous.put(cache.name(), new long[] { now.hits(), now.misses() });
				long hits = now.hits() - ((before != null) ? before[0] : 0);
				long lookups = hits + now.misses() - ((before != null) ? before[1] : 0);
				if (lookups >= minLookups && lookups > 0) {
					double ratio = (double) hits / lookups;
					if (ratio < lowest) {
						lowest = ratio;
						where = cache.name();
						lookupsOfLowest = lookups;
					}
				}
			}
			if (lowest > 1) {
				return null;
			}
			return new AlertReading(lowest, lowest < threshold,
					format("%s cache hit ratio %.0f%% over %d lookups", where, lowest * 100, lookupsOfLowest));
		});
	}

	/**
	 * Calls waiting in the bulkhead's queue over the queue's capacity.
	 * @param bulkhead the bulkhead
	 * @param threshold fraction, such as 0.8
	 * @return the rule
	 */
	public static AlertRule bulkheadQueue(ConcurrencyBulkhead bulkhead, double threshold) {
		return of(BULKHEAD_QUEUE, threshold, () -> {
			ConcurrencySnapshot snapshot = bulkhead.snapshot();
			int queued = snapshot.queued().total();
			double value = (snapshot.maxQueue() > 0) ? (double) queued / snapshot.maxQueue() : 0;
			return new AlertReading(value, snapshot.maxQueue() > 0 && value >= threshold,
					format("%d of %d queue places taken, %d of %d permits active", queued, snapshot.maxQueue(),
							snapshot.active(), snapshot.max()));
		});
	}

	/**
	 * Provider rate-limit holds (from 429s and exhausted {@code x-ratelimit-*} headers)
	 * in place now.
	 * @param holds the holds
	 * @param threshold the count from which the rule fires, such as 1
	 * @return the rule
	 */
	public static AlertRule providerHolds(ProviderHolds holds, double threshold) {
		return of(PROVIDER_HOLDS, threshold, () -> {
			List<ProviderHold> current = holds.current();
			StringBuilder models = new StringBuilder();
			for (ProviderHold hold : current) {
				models.append((models.length() > 0) ? ", " : "")
					.append(hold.model())
					.append(" until ")
					.append(hold.until());
			}
			return new AlertReading(current.size(), current.size() >= threshold,
					current.isEmpty() ? "no provider holds" : current.size() + " provider holds: " + models);
		});
	}

	private static String format(String format, Object... args) {
		return String.format(Locale.ROOT, format, args);
	}

}
