package io.github.airesource.core.budget;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryBudgetStoreTests extends BudgetStoreContractTests {

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryBudgetStore store = new InMemoryBudgetStore(this.clock, 1000);

	@Override
	protected BudgetStore store() {
		return this.store;
	}

	@Override
	protected void passTime(Duration duration) {
		this.clock.advance(duration);
	}

	@Override
	protected Duration shortPeriod() {
		return Duration.ofMinutes(1);
	}

	@Override
	protected void awaitWindowStart(Duration period) {
		this.clock.advance(Duration.ofMillis(millisToNextWindow(this.clock.millis(), period)));
	}

	@Override
	protected Duration shortLease() {
		return Duration.ofSeconds(30);
	}

	@Test
	void whenADayPassesThenTheDailyWindowStartsAtUtcMidnight() {
		BudgetLimit daily = tokens("daily", ScopeType.USER, 100);
		this.clock.advance(Duration.ofHours(13));

		BudgetUsage usage = this.store.usage(daily, "alice");

		assertThat(usage.windowStart()).hasToString("2026-01-01T00:00:00Z");
		assertThat(usage.resetsAt()).hasToString("2026-01-02T00:00:00Z");
	}

	@Test
	void whenAnIdleKeyIsForgottenThenItsUseNoLongerCounts() {
		BudgetLimit hourly = limit("hourly", ScopeType.USER, Duration.ofHours(1), new BudgetAmount(100L, null));
		List<BudgetCharge> charges = List.of(charge(hourly, "alice", 100, 0));
		this.store.reserve("r1", charges, LEASE, false);
		this.store.settle("r1", charges, 100, 0, LEASE);

		this.clock.advance(Duration.ofHours(2));

		assertThat(this.store.usage(hourly, "alice").usedTokens()).isZero();
		assertThat(this.store.reserve("r2", charges, LEASE, false)).isInstanceOf(BudgetAdmission.Admitted.class);
	}

}
