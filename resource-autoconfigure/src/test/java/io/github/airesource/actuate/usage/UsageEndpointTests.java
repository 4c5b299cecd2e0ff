package io.github.airesource.actuate.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;

import static org.assertj.core.api.Assertions.assertThat;

class UsageEndpointTests {

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(100, Clock.systemUTC());

	private final UsageEndpoint endpoint = new UsageEndpoint(this.ledger);

	@Test
	void whenReadAsJsonThenFiguresAndIdsButNoTextAreShown() throws Exception {
		this.ledger.onUsage(new UsageRecord("gpt-4o", 1200, 1000, 300, 100, new BigDecimal("0.00475"), false,
				Duration.ofMillis(800), CallOutcome.SUCCESS), CallScope.of("acme", "alice", "c-1"));

		JsonNode json = new ObjectMapper().valueToTree(this.endpoint.usage(null));

		assertThat(json.at("/global/total/calls").asLong()).isEqualTo(1);
		assertThat(json.at("/global/total/totalTokens").asLong()).isEqualTo(1500);
		assertThat(json.at("/global/lastMinute/cost").decimalValue()).isEqualByComparingTo("0.00475");
		assertThat(json.at("/models/gpt-4o/lastDay/cachedPromptTokens").asLong()).isEqualTo(1000);
		assertThat(json.at("/scopes/user/top/0/id").asText()).isEqualTo("alice");
		assertThat(json.at("/scopes/tenant/tracked").asLong()).isEqualTo(1);
		assertThat(json.at("/store/type").asText()).isEqualTo("memory");
		assertThat(json.toString()).doesNotContain("c-1");
	}

	@Test
	void whenTopIsGivenThenAtMostThatManyScopesAreListed() {
		for (int i = 0; i < 30; i++) {
			this.ledger.onUsage(
					new UsageRecord("gpt-4o", 10, 0, 1, 0, BigDecimal.ONE, false, Duration.ZERO, CallOutcome.SUCCESS),
					CallScope.of("t", "user-" + i, null));
		}

		assertThat(this.endpoint.usage(null).scopes().get("user").top()).hasSize(UsageEndpoint.DEFAULT_TOP);
		assertThat(this.endpoint.usage(3).scopes().get("user").top()).hasSize(3);
		assertThat(this.endpoint.usage(3).scopes().get("user").tracked()).isEqualTo(30);
	}

	@Test
	void whenOneScopeIsAskedForThenItsUsageOrNothing() {
		this.ledger.onUsage(
				new UsageRecord("gpt-4o", 10, 0, 1, 0, BigDecimal.ONE, false, Duration.ZERO, CallOutcome.SUCCESS),
				CallScope.of("acme", "alice", null));

		assertThat(this.endpoint.scope("user", "alice").total().calls()).isEqualTo(1);
		assertThat(this.endpoint.scope("tenant", "acme").total().calls()).isEqualTo(1);
		assertThat(this.endpoint.scope("global", "global").total().calls()).isEqualTo(1);
		assertThat(this.endpoint.scope("user", "bob")).isNull();
		assertThat(this.endpoint.scope("planet", "mars")).isNull();
	}

}
