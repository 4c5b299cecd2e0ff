package io.github.airesource.core.alerts;

import java.lang.management.MemoryUsage;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetMoney;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencyPermit;
import io.github.airesource.core.concurrency.ConcurrencyPriority;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every built-in rule fires once when it crosses, repeats only after the cooldown while
 * it holds, and resolves when it clears, driven by an injected clock.
 */
class AlertEvaluatorTests {

	private static final Duration COOLDOWN = Duration.ofSeconds(30);

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(1000, this.clock);

	private final List<AlertTransition> heard = new ArrayList<>();

	@Test
	void whenHeapCrossesThenFiresRepeatsAfterCooldownAndResolves() {
		AtomicLong used = new AtomicLong(50);
		AlertRule rule = AlertRules.heapUsage(0.85, () -> new MemoryUsage(0, used.get(), 100, 100));
		cycle(rule, () -> used.set(90), () -> used.set(40), 0.9);
	}

	@Test
	void whenTokensPerMinuteCrossThenFiresRepeatsAfterCooldownAndResolves() {
		AlertRule rule = AlertRules.tokensPerMinute(this.ledger, 1000);
		cycle(rule, () -> call(700, 400, CallOutcome.SUCCESS, Duration.ofMillis(10)), this::slideTwoMinutes, 1100);
	}

	@Test
	void whenCostPerHourCrossesThenFiresRepeatsAfterCooldownAndResolves() {
		AlertRule rule = AlertRules.costPerHour(this.ledger, 1.0);
		cycle(rule,
				() -> record(new UsageRecord("gpt-4o", 100, 0, 100, 0, new BigDecimal("1.5"), false,
						Duration.ofMillis(5), CallOutcome.SUCCESS, UsagePurpose.CHAT)),
				() -> this.clock.advance(Duration.ofHours(2)), 1.5);
	}

	@Test
	void whenErrorRateCrossesThenFiresRepeatsAfterCooldownAndResolves() {
		AlertRule rule = AlertRules.errorRate(this.ledger, 0.05, 10);
		AlertEvaluator evaluator = evaluator(rule);
		// 1 failure in 10 calls, the fewest the rule judges: 10% fail.
		cycle(evaluator, rule, () -> {
			for (int i = 0; i < 9; i++) {
				call(10, 10, CallOutcome.SUCCESS, Duration.ofMillis(5));
			}
			call(10, 10, CallOutcome.ERROR, Duration.ofMillis(5));
		}, this::slideTwoMinutes, 0.1);
	}

	@Test
	void whenErrorRateHasTooFewCallsThenItDoesNotFire() {
		call(10, 10, CallOutcome.ERROR, Duration.ofMillis(5));
		assertThat(evaluator(AlertRules.errorRate(this.ledger, 0.05, 10)).evaluate()).isEmpty();
	}

	@Test
	void whenP95LatencyExceedsTheBoundThenSlowCallsFiresRepeatsAndResolves() {
		LatencyWindow latencies = new LatencyWindow(1000, Duration.ofMinutes(1), this.clock);
		AlertRule rule = AlertRules.slowCalls(latencies, Duration.ofSeconds(2));
		cycle(rule, () -> {
			for (int i = 0; i < 20; i++) {
				latencies.record(Duration.ofSeconds(3));
			}
		}, this::slideTwoMinutes, 3000);
	}

	@Test
	void whenABudgetKeyCrossesItsUsedFractionThenBudgetUsedFiresRepeatsAndResolves() {
		InMemoryBudgetStore store = new InMemoryBudgetStore(this.clock);
		BudgetLimit limit = BudgetLimit.of("per-tenant", ScopeType.TENANT, Duration.ofDays(1),
				new BudgetAmount(1000L, null));
		Budgets budgets = new Budgets(List.of(limit), store, null);
		AlertRule rule = AlertRules.budgetUsed(budgets, 0.8);
		cycle(rule, () -> spend(store, limit, "acme", 900, 0), () -> store.reset(limit, "acme"), 0.9);
	}

	@Test
	void whenABudgetRunsOutSoonAtTheLastHoursRateThenTheForecastRuleFiresAndResolves() {
		InMemoryBudgetStore store = new InMemoryBudgetStore(this.clock);
		BudgetLimit limit = BudgetLimit.of("global-daily", ScopeType.GLOBAL, Duration.ofDays(1),
				new BudgetAmount(10_000L, null));
		Budgets budgets = new Budgets(List.of(limit), store, null);
		BudgetForecaster forecaster = new BudgetForecaster(budgets, this.ledger, this.clock, 10);
		AlertRule rule = AlertRules.budgetExhaustion(forecaster, 4);
		cycle(rule, () -> {
			// 2,000 tokens in the last hour with 8,000 left: exhausted in 4 hours...
			// minus
			// the spend itself: 6,000 left at 2,000 an hour is 3 hours.
			call(1000, 1000, CallOutcome.SUCCESS, Duration.ofMillis(5));
			spend(store, limit, CallScope.GLOBAL_ID, 4000, 0);
		}, () -> this.clock.advance(Duration.ofHours(2)), 3.0);
		BudgetForecast forecast = forecaster.forecasts().get(0);
		assertThat(forecast.hoursToExhaustion()).isNull();
		assertThat(forecast.message()).contains("spent nothing in the last hour");
	}

	@Test
	void whenACacheHitRatioCollapsesThenFiresRepeatsAndResolves() {
		CacheStatistics statistics = new CacheStatistics();
		ManagedCache cache = new TestCache(statistics);
		AlertRule rule = AlertRules.cacheHitRatio(List.of(cache), 0.2, 10);
		AlertEvaluator evaluator = evaluator(rule);
		lookups(statistics, 10, 10);
		assertThat(evaluator.evaluate()).isEmpty();
		// Each evaluation judges the lookups since the previous one, so the collapse is
		// fed again before each.
		lookups(statistics, 1, 19);
		assertThat(evaluator.evaluate()).singleElement().satisfies((t) -> {
			assertThat(t.status()).isEqualTo(AlertStatus.FIRING);
			assertThat(t.value()).isEqualTo(0.05);
		});
		this.clock.advance(Duration.ofSeconds(10));
		lookups(statistics, 1, 19);
		assertThat(evaluator.evaluate()).isEmpty();
		this.clock.advance(Duration.ofSeconds(20));
		lookups(statistics, 1, 19);
		assertThat(evaluator.evaluate()).singleElement()
			.satisfies((t) -> assertThat(t.status()).isEqualTo(AlertStatus.REPEATED));
		lookups(statistics, 15, 5);
		assertThat(evaluator.evaluate()).singleElement()
			.satisfies((t) -> assertThat(t.status()).isEqualTo(AlertStatus.RESOLVED));
	}

	@Test
	void whenTheBulkheadQueueFillsThenFiresRepeatsAndResolves() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(1)
			.maxQueue(2)
			.maxWait(Duration.ofMinutes(1))
			.build();
		ConcurrencyPermit running = bulkhead.enter(ConcurrencyPriority.NORMAL, CallScope.NONE);
		List<ConcurrencyPermit> waiting = new ArrayList<>();
		AlertRule rule = AlertRules.bulkheadQueue(bulkhead, 0.8);
		cycle(rule, () -> {
			waiting.add(bulkhead.enter(ConcurrencyPriority.NORMAL, CallScope.NONE));
			waiting.add(bulkhead.enter(ConcurrencyPriority.NORMAL, CallScope.NONE));
		}, () -> waiting.forEach(ConcurrencyPermit::close), 1.0);
		running.close();
	}

	@Test
	void whenAProviderHoldIsInPlaceThenFiresRepeatsAndResolves() {
		ProviderHolds holds = new ProviderHolds(this.clock);
		AlertRule rule = AlertRules.providerHolds(holds, 1);
		cycle(rule, () -> holds.hold("gpt-4o", Duration.ofMinutes(5), "429"),
				() -> this.clock.advance(Duration.ofMinutes(10)), 1);
	}

	@Test
	void whenAListenerThrowsThenOtherListenersStillHearAndTheLastHundredTransitionsAreKept() {
		AtomicLong used = new AtomicLong(90);
		AlertRule rule = AlertRules.heapUsage(0.85, () -> new MemoryUsage(0, used.get(), 100, 100));
		AlertEvaluator evaluator = new AlertEvaluator(List.of(rule), List.of((t) -> {
			throw new IllegalStateException("listener down");
		}, this.heard::add), COOLDOWN, this.clock);
		for (int i = 0; i < 120; i++) {
			used.set((i % 2 == 0) ? 90 : 10);
			evaluator.evaluate();
		}
		assertThat(this.heard).hasSize(120);
		assertThat(evaluator.transitions()).hasSize(AlertEvaluator.MAX_TRANSITIONS)
			.last()
			.satisfies((t) -> assertThat(t.status()).isEqualTo(AlertStatus.RESOLVED));
	}

	@Test
	void whenARuleCannotBeReadThenTheAlertKeepsItsState() {
		AtomicLong used = new AtomicLong(90);
		AlertRule heap = AlertRules.heapUsage(0.85, () -> {
			if (used.get() < 0) {
				throw new IllegalStateException("unavailable");
			}
			return new MemoryUsage(0, used.get(), 100, 100);
		});
		AlertEvaluator evaluator = evaluator(heap);
		assertThat(evaluator.evaluate()).hasSize(1);
		used.set(-1);
		assertThat(evaluator.evaluate()).isEmpty();
		assertThat(evaluator.active()).hasSize(1);
	}

	private void cycle(AlertRule rule, Runnable breach, Runnable clear, double expectedValue) {
		cycle(evaluator(rule), rule, breach, clear, expectedValue);
	}

	private void cycle(AlertEvaluator evaluator, AlertRule rule, Runnable breach, Runnable clear,
			double expectedValue) {
		assertThat(evaluator.evaluate()).as("before the breach").isEmpty();
		breach.run();
		List<AlertTransition> fired = evaluator.evaluate();
		assertThat(fired).singleElement().satisfies((t) -> {
			assertThat(t.rule()).isEqualTo(rule.name());
			assertThat(t.status()).isEqualTo(AlertStatus.FIRING);
			assertThat(t.value()).isCloseTo(expectedValue, org.assertj.core.data.Offset.offset(0.01));
			assertThat(t.threshold()).isEqualTo(rule.threshold());
			assertThat(t.at()).isEqualTo(this.clock.instant());
		});
		assertThat(evaluator.active()).singleElement().satisfies((a) -> {
			assertThat(a.rule()).isEqualTo(rule.name());
			assertThat(a.since()).isEqualTo(this.clock.instant());
		});
		this.clock.advance(Duration.ofSeconds(10));
		assertThat(evaluator.evaluate()).as("within the cooldown").isEmpty();
		this.clock.advance(Duration.ofSeconds(20));
		assertThat(evaluator.evaluate()).as("after the cooldown")
			.singleElement()
			.satisfies((t) -> assertThat(t.status()).isEqualTo(AlertStatus.REPEATED));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(evaluator.evaluate()).as("right after repeating").isEmpty();
		clear.run();
		assertThat(evaluator.evaluate()).singleElement()
			.satisfies((t) -> assertThat(t.status()).isEqualTo(AlertStatus.RESOLVED));
		assertThat(evaluator.active()).isEmpty();
		assertThat(evaluator.evaluate()).as("after resolving").isEmpty();
		assertThat(this.heard).extracting(AlertTransition::status)
			.containsExactly(AlertStatus.FIRING, AlertStatus.REPEATED, AlertStatus.RESOLVED);
	}

	private AlertEvaluator evaluator(AlertRule rule) {
		return new AlertEvaluator(List.of(rule), List.of(this.heard::add), COOLDOWN, this.clock);
	}

	private void slideTwoMinutes() {
		this.clock.advance(Duration.ofMinutes(2));
	}

	private void call(int prompt, int completion, CallOutcome outcome, Duration latency) {
		record(new UsageRecord("gpt-4o-mini", prompt, 0, completion, 0, BigDecimal.ZERO, false, latency, outcome,
				UsagePurpose.CHAT));
	}

	private void record(UsageRecord record) {
		this.ledger.onUsage(record, CallScope.NONE);
	}

	private static void spend(InMemoryBudgetStore store, BudgetLimit limit, String key, long tokens, long cost) {
		BudgetCharge charge = new BudgetCharge(limit, key, limit.amount(), 0, 0);
		store.reserve("r-" + key + tokens, List.of(charge), Duration.ofMinutes(5), false);
		store.settle("r-" + key + tokens, List.of(charge), tokens, BudgetMoney.toNanosCeiling(BigDecimal.valueOf(cost)),
				Duration.ofMinutes(5));
	}

	private static void lookups(CacheStatistics statistics, int hits, int misses) {
		for (int i = 0; i < hits; i++) {
			statistics.recordHit();
		}
		for (int i = 0; i < misses; i++) {
			statistics.recordMiss();
		}
	}

	private record TestCache(CacheStatistics statistics) implements ManagedCache {

		@Override
		public String name() {
			return "response";
		}

		@Override
		public long size() {
			return 0;
		}

		@Override
		public long clear() {
			return 0;
		}

		@Override
		public long clearTenant(String tenant) {
			return 0;
		}

	}

}
