package io.github.airesource.actuate.alerts;

import java.math.BigDecimal;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.UsageLedger;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code aialerts} endpoint over HTTP in a whole application, found through
 * {@code AutoConfiguration.imports}: the top-level names and fields the dashboard reads,
 * in camelCase JSON.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.jackson.property-naming-strategy=SNAKE_CASE", "spring.ai.openai.api-key=test-key",
				"management.endpoints.web.exposure.include=aialerts", "ai.resource.alerts.enabled=true",
				"ai.resource.alerts.check-interval=1h", "ai.resource.alerts.thresholds.tokens-per-minute=100",
				"ai.resource.budget.enabled=true", "ai.resource.budget.limits.daily.scope=global",
				"ai.resource.budget.limits.daily.max-tokens=100000" })
class AlertsEndpointWebTests {

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private UsageLedger ledger;

	@Autowired
	private AlertEvaluator evaluator;

	@Autowired
	private ObjectMapper json;

	@Test
	void whenAnAlertFiresThenTheReportHasActiveTransitionsRulesAndForecasts() throws Exception {
		this.ledger.onUsage(new UsageRecord("gpt-4o-mini", 150, 0, 50, 0, new BigDecimal("0.001"), false,
				Duration.ofMillis(20), CallOutcome.SUCCESS, UsagePurpose.CHAT), CallScope.NONE);
		this.evaluator.evaluate();

		ResponseEntity<String> response = this.http.getForEntity("/actuator/aialerts", String.class);
		JsonNode report = this.json.readTree(response.getBody());

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(report.at("/active/0/rule").asText()).isEqualTo("tokens-per-minute");
		assertThat(report.at("/active/0/value").asDouble()).isEqualTo(200);
		assertThat(report.at("/active/0/threshold").asDouble()).isEqualTo(100);
		assertThat(report.at("/active/0/since").asText()).isNotBlank();
		assertThat(report.at("/active/0/message").asText()).contains("200 tokens");
		assertThat(report.at("/transitions/0/rule").asText()).isEqualTo("tokens-per-minute");
		assertThat(report.at("/transitions/0/status").asText()).isEqualTo("FIRING");
		assertThat(report.at("/transitions/0/at").asText()).isNotBlank();
		assertThat(report.at("/transitions/0/value").asDouble()).isEqualTo(200);
		assertThat(report.at("/transitions/0/threshold").asDouble()).isEqualTo(100);
		assertThat(report.at("/transitions/0/message").isTextual()).isTrue();
		assertThat(report.at("/rules").isArray()).isTrue();
		assertThat(report.at("/rules/1/rule").asText()).isEqualTo("tokens-per-minute");
		assertThat(report.at("/rules/1/enabled").asBoolean()).isTrue();
		assertThat(report.at("/rules/1/threshold").asDouble()).isEqualTo(100);
		assertThat(report.at("/rules/1/value").asDouble()).isEqualTo(200);
		assertThat(report.at("/forecasts/0/limit").asText()).isEqualTo("daily");
		assertThat(report.at("/forecasts/0/hoursToExhaustion").isNumber()).isTrue();
		assertThat(response.getBody()).doesNotContain("last_notified", "hours_to_exhaustion");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
