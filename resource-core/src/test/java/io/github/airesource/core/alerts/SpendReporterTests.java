package io.github.airesource.core.alerts;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daily spend report comes once a day at its time of day, with the ledger's last 24
 * hours: calls, tokens, cost by model, top tenants by cost and cache savings.
 */
class SpendReporterTests {

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(1000, this.clock);

	@Test
	void whenTheTimeOfDayComesThenTheReportIsMadeOnceWithTheLastDaysFigures() {
		SpendReporter reporter = new SpendReporter(this.ledger, LocalTime.of(9, 0), ZoneOffset.UTC, 5, this.clock);
		assertThat(reporter.reportIfDue()).isNull();
		assertThat(reporter.next()).isEqualTo(Instant.parse("2026-01-01T09:00:00Z"));
		this.clock.advance(Duration.ofHours(1));
		this.ledger.onUsage(record("gpt-4o", 100, 50, "0.30", CallOutcome.SUCCESS), CallScope.of("acme", "a", "c"));
		this.ledger.onUsage(record("gpt-4o-mini", 10, 5, "0.01", CallOutcome.SUCCESS),
				CallScope.of("globex", "b", "c"));
		this.clock.advance(Duration.ofHours(7));
		assertThat(reporter.reportIfDue()).isNull();
		this.clock.advance(Duration.ofHours(1));

		SpendReport report = reporter.reportIfDue();

		assertThat(report).isNotNull();
		assertThat(report.calls()).isEqualTo(2);
		assertThat(report.tokens()).isEqualTo(165);
		assertThat(report.cost()).isEqualByComparingTo("0.31");
		assertThat(report.models()).containsOnlyKeys("gpt-4o", "gpt-4o-mini");
		assertThat(report.models().get("gpt-4o").cost()).isEqualByComparingTo("0.30");
		assertThat(report.topTenants()).extracting(SpendReport.Tenant::id).containsExactly("acme", "globex");
		assertThat(report.summary()).contains("2 calls", "165 tokens", "acme $0.3000");
		assertThat(reporter.reportIfDue()).isNull();
		assertThat(reporter.next()).isEqualTo(Instant.parse("2026-01-02T09:00:00Z"));
	}

	private static UsageRecord record(String model, int prompt, int completion, String cost, CallOutcome outcome) {
		return new UsageRecord(model, prompt, 0, completion, 0, new BigDecimal(cost), false, Duration.ofMillis(5),
				outcome, UsagePurpose.CHAT);
	}

}
