package io.github.airesource.actuate.usage;

import java.math.BigDecimal;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.UsageLedger;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.client.TestRestTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code aiusage} endpoint over HTTP in an application whose own JSON is snake_case:
 * the endpoint's shape must not follow the application's JSON settings.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.jackson.property-naming-strategy=SNAKE_CASE", "spring.ai.openai.api-key=test-key",
				"management.endpoints.web.exposure.include=aiusage" })
class UsageEndpointWebTests {

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private UsageLedger ledger;

	@Autowired
	private ObjectMapper applicationJson;

	@Test
	void whenTheApplicationWritesSnakeCaseThenTheEndpointKeepsItsOwnCamelCaseShape() throws Exception {
		this.ledger.onUsage(new UsageRecord("gpt-4o", 1200, 1000, 300, 100, new BigDecimal("0.00475"), false,
				Duration.ofMillis(800), CallOutcome.SUCCESS), CallScope.of("acme", "alice", null));

		JsonNode report = this.applicationJson.readTree(this.http.getForObject("/actuator/aiusage", String.class));
		JsonNode alice = this.applicationJson
			.readTree(this.http.getForObject("/actuator/aiusage/user/alice", String.class));

		assertThat(this.applicationJson.writeValueAsString(new Sample(1))).as("the application's own JSON")
			.contains("sample_value");
		assertThat(report.at("/store/fleetWide").isBoolean()).isTrue();
		assertThat(report.at("/store/pendingWrites").asLong()).isZero();
		assertThat(report.at("/global/total/totalTokens").asLong()).isEqualTo(1500);
		assertThat(report.at("/global/lastMinute/cachedPromptTokens").asLong()).isEqualTo(1000);
		assertThat(report.at("/unpricedModels").isArray()).isTrue();
		assertThat(report.at("/scopes/user/top/0/id").asText()).isEqualTo("alice");
		assertThat(report.toString()).doesNotContain("fleet_wide", "total_tokens", "pending_writes");
		assertThat(alice.at("/total/totalTokens").asLong()).isEqualTo(1500);
		assertThat(alice.at("/lastDay/cost").decimalValue()).isEqualByComparingTo("0.00475");
	}

	record Sample(int sampleValue) {
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
