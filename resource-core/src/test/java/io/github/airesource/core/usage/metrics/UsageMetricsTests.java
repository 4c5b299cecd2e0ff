package io.github.airesource.core.usage.metrics;

import java.math.BigDecimal;
import java.time.Duration;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;

import static org.assertj.core.api.Assertions.assertThat;

class UsageMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final UsageMetrics metrics = new UsageMetrics(this.registry);

	@Test
	void whenCallRecordedThenTokenTypesAreDisjointAndAddUpToTheTotal() {
		this.metrics.onUsage(new UsageRecord("gpt-4o", 1200, 1000, 300, 100, new BigDecimal("0.00475"), false,
				Duration.ofMillis(800), CallOutcome.SUCCESS), CallScope.of("acme", "alice", "c1"));

		assertThat(tokens("input")).isEqualTo(200);
		assertThat(tokens("cached_input")).isEqualTo(1000);
		assertThat(tokens("output")).isEqualTo(200);
		assertThat(tokens("reasoning")).isEqualTo(100);
		assertThat(this.registry.get(UsageMetrics.COST).tag("model", "gpt-4o").counter().count()).isEqualTo(0.00475);
		assertThat(
				this.registry.get(UsageMetrics.CALLS).tags("model", "gpt-4o", "outcome", "success").counter().count())
			.isEqualTo(1);
	}

	@Test
	void whenMetersExistThenNoneIsTaggedByUserTenantOrConversation() {
		this.metrics.onUsage(
				new UsageRecord("gpt-4o", 10, 0, 5, 0, BigDecimal.ONE, false, Duration.ZERO, CallOutcome.SUCCESS),
				CallScope.of("acme", "alice", "c1"));

		assertThat(this.registry.getMeters()).isNotEmpty()
			.allSatisfy((meter) -> assertThat(meter.getId().getTags())
				.allSatisfy((tag) -> assertThat(tag.getKey()).isIn("model", "type", "outcome")));
	}

	@Test
	void whenModelHasNoPriceThenUnpricedIsCountedAndCostIsNot() {
		this.metrics.onUsage(
				new UsageRecord("mystery-7b", 10, 0, 5, 0, null, false, Duration.ZERO, CallOutcome.SUCCESS),
				CallScope.NONE);

		assertThat(this.registry.get(UsageMetrics.UNPRICED).tag("model", "mystery-7b").counter().count()).isEqualTo(1);
		assertThat(this.registry.get(UsageMetrics.COST).tag("model", "mystery-7b").counter().count()).isZero();
	}

	@Test
	void whenProviderReportsManyModelNamesThenTagsStayBounded() {
		for (int i = 0; i < 500; i++) {
			this.metrics.onUsage(
					new UsageRecord("model-" + i, 1, 0, 1, 0, null, false, Duration.ZERO, CallOutcome.SUCCESS),
					CallScope.NONE);
		}

		long models = this.registry.find(UsageMetrics.CALLS)
			.meters()
			.stream()
			.map(Meter::getId)
			.map((id) -> id.getTag("model"))
			.distinct()
			.count();
		assertThat(models).isEqualTo(UsageMetrics.MAX_MODELS + 1);
		assertThat(this.registry.get(UsageMetrics.CALLS).tags("model", "other", "outcome", "success").counter().count())
			.isEqualTo(400);
	}

	private double tokens(String type) {
		return this.registry.get(UsageMetrics.TOKENS).tags("model", "gpt-4o", "type", type).counter().count();
	}

}
