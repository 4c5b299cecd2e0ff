package io.github.airesource.actuate.limits;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.scope.CallScope;
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
 * With {@code RATE_LIMITED} in {@code management.endpoint.health.status.order}, as the
 * documentation suggests, the aggregate health shows it, and still answers 200: Spring
 * Boot maps only {@code DOWN} and {@code OUT_OF_SERVICE} to 503, so a load balancer keeps
 * the instance.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.ai.openai.api-key=test-key", "management.endpoints.web.exposure.include=health",
				"management.endpoint.health.status.order=DOWN,OUT_OF_SERVICE,RATE_LIMITED,BUDGET_EXHAUSTED,UP,UNKNOWN",
				"ai.resource.rate-limit.enabled=true", "ai.resource.rate-limit.limits.global-rpd.requests=1",
				"ai.resource.rate-limit.limits.global-rpd.period=1d" })
class LimitsHealthStatusOrderWebTests {

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private RateLimits rateLimits;

	@Autowired
	private ObjectMapper json;

	@Test
	void whenAGlobalLimitIsUsedUpThenTheAggregateIsRateLimitedAndStillAnswers200() throws Exception {
		assertThat(this.http.getForEntity("/actuator/health", String.class).getBody()).contains("\"UP\"");
		RateLimit limit = this.rateLimits.limit("global-rpd").orElseThrow();
		this.rateLimits.store().acquire(List.of(new RateLimitCharge(limit, CallScope.GLOBAL_ID, 0, 0)), Duration.ZERO);

		ResponseEntity<String> response = this.http.getForEntity("/actuator/health", String.class);
		JsonNode health = this.json.readTree(response.getBody());

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(health.at("/status").asText()).isEqualTo("RATE_LIMITED");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
