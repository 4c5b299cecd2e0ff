package io.github.airesource.actuate.limits;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
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
 * The {@code ailimits} endpoint and health contributor over HTTP in a whole application,
 * found through {@code AutoConfiguration.imports}: JSON in the endpoint's own camelCase
 * shape, a 404 for an unknown limit, and a used-up global limit that health reports as
 * {@code RATE_LIMITED} while the instance keeps answering 200.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.jackson.property-naming-strategy=SNAKE_CASE", "spring.ai.openai.api-key=test-key",
		"management.endpoints.web.exposure.include=ailimits,health", "management.endpoint.health.show-details=always",
		"ai.resource.rate-limit.enabled=true", "ai.resource.rate-limit.limits.global-rpd.requests=2",
		"ai.resource.rate-limit.limits.global-rpd.period=1d", "ai.resource.rate-limit.limits.user-tpm.scope=user",
		"ai.resource.rate-limit.limits.user-tpm.tokens=50000", "ai.resource.concurrency.enabled=true",
		"ai.resource.concurrency.max-concurrent=7" })
class LimitsEndpointWebTests {

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private RateLimits rateLimits;

	@Autowired
	private ObjectMapper json;

	@BeforeEach
	void useUpTheGlobalLimit() {
		RateLimit limit = this.rateLimits.limit("global-rpd").orElseThrow();
		List<RateLimitCharge> charge = List.of(new RateLimitCharge(limit, CallScope.GLOBAL_ID, 0, 0));
		// The first test's takes use the limit up; in later tests of the same
		// context they are refused and change nothing.
		this.rateLimits.store().acquire(charge, Duration.ZERO);
		this.rateLimits.store().acquire(charge, Duration.ZERO);
	}

	@Test
	void whenTheReportIsFetchedThenItIsCamelCaseJsonWithEveryEnabledPart() throws Exception {
		ResponseEntity<String> response = this.http.getForEntity("/actuator/ailimits", String.class);
		JsonNode report = this.json.readTree(response.getBody());

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(report.at("/rateLimits/store/type").asText()).isEqualTo("memory");
		assertThat(report.at("/rateLimits/store/available").asBoolean()).isTrue();
		assertThat(report.at("/rateLimits/limits/0/name").asText()).isEqualTo("global-rpd");
		assertThat(report.at("/rateLimits/limits/0/period").asText()).isEqualTo("PT24H");
		assertThat(report.at("/rateLimits/limits/0/state/0/dimension").asText()).isEqualTo("requests");
		assertThat(report.at("/rateLimits/limits/0/state/0/remaining").asInt()).isZero();
		assertThat(report.at("/rateLimits/limits/0/state/0/resetsAt").isTextual()).isTrue();
		assertThat(report.at("/rateLimits/limits/1/keyLookup").asText()).isEqualTo("ailimits/user-tpm/{key}");
		assertThat(report.at("/rateLimits/limits/1").has("state")).as("null parts are left out").isFalse();
		assertThat(report.at("/concurrency/max").asInt()).isEqualTo(7);
		assertThat(report.at("/concurrency/queued/total").asInt()).isZero();
		assertThat(report.at("/rejections/0/source").asText()).isEqualTo("rate-limit");
		assertThat(report.at("/providerHolds").isArray()).isTrue();
		assertThat(response.getBody()).doesNotContain("rate_limits", "key_lookup", "test-key");
	}

	@Test
	void whenOneKeyIsFetchedThenItsStateIsShownAndAnUnknownLimitIs404() throws Exception {
		JsonNode alice = this.json.readTree(this.http.getForObject("/actuator/ailimits/user-tpm/alice", String.class));

		assertThat(alice.at("/limit").asText()).isEqualTo("user-tpm");
		assertThat(alice.at("/key").asText()).isEqualTo("alice");
		assertThat(alice.at("/state/0/remaining").asLong()).isEqualTo(50000);
		assertThat(this.http.getForEntity("/actuator/ailimits/no-such-limit/alice", String.class).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void whenAGlobalLimitIsUsedUpThenTheContributorIsRateLimitedAndHealthStillAnswers200() throws Exception {
		ResponseEntity<String> response = this.http.getForEntity("/actuator/health", String.class);
		JsonNode health = this.json.readTree(response.getBody());

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(health.at("/components/ailimits/status").asText()).isEqualTo("RATE_LIMITED");
		assertThat(health.at("/components/ailimits/details/saturated/0/limit").asText()).isEqualTo("global-rpd");
		// A status missing from the configured order is left out of the aggregate
		// (LimitsHealthStatusOrderWebTests puts it in).
		assertThat(health.at("/status").asText()).isEqualTo("UP");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
