package io.github.airesource.benchmarks.gateway;

import java.time.Duration;
import java.util.List;

import io.github.airesource.autoconfigure.pool.ConnectionPoolStats;
import io.github.airesource.autoconfigure.pool.ConnectionPools;
import io.github.airesource.benchmarks.gateway.front.ChatCompletionsController;
import io.github.airesource.benchmarks.gateway.front.StarterFrontApplication;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceAdvisors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.Ordered;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The front of the comparison's "no advisors" path: the same application, no advisor of
 * the starter, the same connection pool.
 */
@SpringBootTest(classes = StarterFrontApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.config.name=starter-front")
@ActiveProfiles("no-advisors")
class StarterFrontWithoutAdvisorsTests {

	private static final LoopbackOpenAiServer server = startServer();

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private ResourceAdvisors advisors;

	@Autowired
	private ConnectionPools pools;

	@DynamicPropertySource
	static void modelServer(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.openai.base-url", server::baseUrl);
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void noFeatureOfTheStarterIsOnAndTheModelClientHasTheSamePool() {
		List<Integer> orders = this.advisors.asList().stream().map(Ordered::getOrder).toList();

		// Only the capture of the caller's identity, which the features read, is left.
		assertThat(orders).containsExactly(ResourceAdvisorOrder.SCOPE_CAPTURE);
		assertThat(this.pools.stats(ConnectionPoolStats.HTTP_COMPONENTS))
			.hasValueSatisfying((pool) -> assertThat(pool.maxConnectionsPerRoute()).isEqualTo(256));
	}

	@Test
	void aComparisonRequestIsAnswered() {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		headers.set(ChatCompletionsController.TENANT_HEADER, ComparisonWorkload.tenant(1));

		ResponseEntity<String> response = this.http.postForEntity("/v1/chat/completions",
				new HttpEntity<>(ComparisonWorkload.body(1), headers), String.class);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(response.getBody()).contains(LoopbackOpenAiServer.ANSWER);
	}

	private static LoopbackOpenAiServer startServer() {
		try {
			return LoopbackOpenAiServer.start(0, Duration.ZERO);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
