package io.github.airesource.core.usage.ledger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryUsageLedgerTests {

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(100, this.clock);

	@Test
	void whenCallsRecordedThenTotalsPerModelAndScope() {
		this.ledger.onUsage(call("gpt-4o", 100, 20, "0.001"), CallScope.of("acme", "alice", "c1"));
		this.ledger.onUsage(call("gpt-4o", 50, 10, "0.0005"), CallScope.of("acme", "bob", "c2"));
		this.ledger.onUsage(call("gpt-4o-mini", 10, 5, "0.00001"), CallScope.of("globex", "alice", "c3"));

		UsageReport report = this.ledger.report(10);

		assertThat(report.global().total().calls()).isEqualTo(3);
		assertThat(report.global().total().promptTokens()).isEqualTo(160);
		assertThat(report.global().total().cost()).isEqualByComparingTo("0.00151");
		assertThat(report.models()).containsOnlyKeys("gpt-4o", "gpt-4o-mini");
		assertThat(report.models().get("gpt-4o").total().completionTokens()).isEqualTo(30);
		assertThat(this.ledger.scope(ScopeType.USER, "alice").orElseThrow().total().totalTokens()).isEqualTo(135);
		assertThat(this.ledger.scope(ScopeType.TENANT, "acme").orElseThrow().total().calls()).isEqualTo(2);
		assertThat(this.ledger.scope(ScopeType.USER, "nobody")).isEmpty();
	}

	@Test
	void whenACacheAnswersThenItsTokensAndCostCountAsSavedNotSpent() {
		CallScope alice = CallScope.of("acme", "alice", null);
		this.ledger.onUsage(call("gpt-4o", 100, 20, "0.001"), alice);
		this.ledger.onUsage(new UsageRecord("gpt-4o", 100, 0, 20, 0, new BigDecimal("0.001"), false, Duration.ZERO,
				CallOutcome.CACHE_HIT), alice);

		UsageTotals total = this.ledger.report(10).global().total();
		assertThat(total.calls()).isEqualTo(2);
		assertThat(total.failedCalls()).isZero();
		assertThat(total.cacheHits()).isEqualTo(1);
		assertThat(total.promptTokens()).isEqualTo(100);
		assertThat(total.completionTokens()).isEqualTo(20);
		assertThat(total.cost()).isEqualByComparingTo("0.001");
		assertThat(total.unpricedCalls()).isZero();
		assertThat(total.savedTokens()).isEqualTo(120);
		assertThat(total.savedCost()).isEqualByComparingTo("0.001");
	}

	@Test
	void whenTheLibraryCallsAModelForItselfThenTheLedgerKeepsThatOnALineOfItsOwn() {
		this.ledger.onUsage(call("gpt-4o-mini", 100, 20, "0.001"), CallScope.NONE);
		this.ledger.onUsage(new UsageRecord("gpt-4o-mini", 400, 0, 50, 0, new BigDecimal("0.0001"), false,
				Duration.ZERO, CallOutcome.SUCCESS, UsagePurpose.SUMMARY), CallScope.NONE);

		UsageReport report = this.ledger.report(10);
		assertThat(report.models()).containsOnlyKeys("gpt-4o-mini", "summary:gpt-4o-mini");
		assertThat(report.models().get("summary:gpt-4o-mini").total().promptTokens()).isEqualTo(400);
		assertThat(report.models().get("gpt-4o-mini").total().promptTokens()).isEqualTo(100);
		assertThat(report.global().total().promptTokens()).isEqualTo(500);
	}

	@Test
	void whenCallerNamesNobodyThenAnonymousKeyNeverSomeoneElses() {
		this.ledger.onUsage(call("gpt-4o", 100, 20, "0.001"), CallScope.NONE);

		assertThat(this.ledger.scope(ScopeType.USER, "anonymous").orElseThrow().total().calls()).isEqualTo(1);
		assertThat(this.ledger.scope(ScopeType.TENANT, "anonymous").orElseThrow().total().calls()).isEqualTo(1);
	}

	@Test
	void whenTimePassesThenWindowsRollButTotalsStay() {
		CallScope alice = CallScope.of("acme", "alice", null);
		this.ledger.onUsage(call("gpt-4o", 100, 0, "0.001"), alice);
		this.clock.advance(Duration.ofSeconds(30));
		this.ledger.onUsage(call("gpt-4o", 10, 0, "0.0001"), alice);

		UsageSummary now = this.ledger.scope(ScopeType.USER, "alice").orElseThrow();
		assertThat(now.lastMinute().promptTokens()).isEqualTo(110);

		this.clock.advance(Duration.ofSeconds(40));
		UsageSummary later = this.ledger.scope(ScopeType.USER, "alice").orElseThrow();
		assertThat(later.lastMinute().promptTokens()).isEqualTo(10);
		assertThat(later.lastHour().promptTokens()).isEqualTo(110);

		this.clock.advance(Duration.ofHours(2));
		UsageSummary hoursLater = this.ledger.scope(ScopeType.USER, "alice").orElseThrow();
		assertThat(hoursLater.lastMinute().calls()).isZero();
		assertThat(hoursLater.lastHour().calls()).isZero();
		assertThat(hoursLater.lastDay().promptTokens()).isEqualTo(110);

		this.clock.advance(Duration.ofDays(1));
		UsageSummary dayLater = this.ledger.scope(ScopeType.USER, "alice").orElseThrow();
		assertThat(dayLater.lastDay().calls()).isZero();
		assertThat(dayLater.total().promptTokens()).isEqualTo(110);
		assertThat(dayLater.total().cost()).isEqualByComparingTo("0.0011");
	}

	@Test
	void whenMillionsOfUsersThenTrackedScopesStayBounded() {
		InMemoryUsageLedger bounded = new InMemoryUsageLedger(50, this.clock);
		for (int i = 0; i < 20_000; i++) {
			bounded.onUsage(call("gpt-4o", 1, 1, "0.00001"), CallScope.of("tenant-" + (i % 7), "user-" + i, null));
		}

		assertThat(bounded.trackedScopes()).isLessThanOrEqualTo(50);
		assertThat(bounded.report(5).global().total().calls()).isEqualTo(20_000);
	}

	@Test
	void whenReportedThenTopScopesByCostThenIdAsInRedis() {
		this.ledger.onUsage(call("gpt-4o", 10, 0, "0.5"), CallScope.of("t", "cheap", null));
		this.ledger.onUsage(call("gpt-4o", 10, 0, "2.0"), CallScope.of("t", "expensive", null));
		this.ledger.onUsage(call("gpt-4o", 10, 0, "1.0"), CallScope.of("t", "middle", null));
		this.ledger.onUsage(call("gpt-4o", 99, 0, "1.0"), CallScope.of("t", "middle-more-tokens", null));

		UsageReport.ScopeReport users = this.ledger.report(3).scopes().get("user");

		assertThat(users.tracked()).isEqualTo(4);
		assertThat(users.top()).extracting(UsageReport.ScopeUsage::id)
			.containsExactly("expensive", "middle", "middle-more-tokens");
	}

	@Test
	void whenModelHasNoPriceThenListedAsUnpricedAndCountedApart() {
		this.ledger.onUsage(call("mystery-7b", 10, 5, null), CallScope.NONE);
		this.ledger.onUsage(call("gpt-4o", 10, 5, "0.0001"), CallScope.NONE);

		UsageReport report = this.ledger.report(5);

		assertThat(report.unpricedModels()).isEqualTo(List.of("mystery-7b"));
		assertThat(report.global().total().unpricedCalls()).isEqualTo(1);
		assertThat(report.global().total().cost()).isEqualByComparingTo("0.0001");
	}

	@Test
	void whenCallFailedThenCountedAsFailed() {
		this.ledger.onUsage(
				new UsageRecord("gpt-4o", 0, 0, 0, 0, BigDecimal.ZERO, false, Duration.ZERO, CallOutcome.ERROR),
				CallScope.NONE);

		assertThat(this.ledger.report(1).global().total().failedCalls()).isEqualTo(1);
	}

	static UsageRecord call(String model, int prompt, int completion, String cost) {
		return new UsageRecord(model, prompt, 0, completion, 0, (cost != null) ? new BigDecimal(cost) : null, false,
				Duration.ofMillis(5), CallOutcome.SUCCESS);
	}

}
