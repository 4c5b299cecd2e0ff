package io.github.airesource.benchmarks.gateway;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's front as the gateway comparison runs it: its own configuration file,
 * every feature on, the real OpenAI client against the loopback model server.
 */
@SpringBootTest(classes = StarterFrontApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.config.name=starter-front")
class StarterFrontApplicationTests {

	private static final ObjectMapper JSON = new ObjectMapper();

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
	void everyFeatureOfTheStarterIsOnTheChatClientAndTheModelClientIsPooled() {
		Set<Integer> orders = this.advisors.asList().stream().map(Ordered::getOrder).collect(Collectors.toSet());

		assertThat(orders).contains(ResourceAdvisorOrder.MEMORY_GUARD, ResourceAdvisorOrder.HISTORY,
				ResourceAdvisorOrder.ROUTING, ResourceAdvisorOrder.PROMPT_GUARD, ResourceAdvisorOrder.RESPONSE_CACHE,
				ResourceAdvisorOrder.SEMANTIC_CACHE, ResourceAdvisorOrder.BUDGET, ResourceAdvisorOrder.RATE_LIMIT,
				ResourceAdvisorOrder.CONCURRENCY, ResourceAdvisorOrder.USAGE, ResourceAdvisorOrder.TIMEOUT);
		assertThat(this.pools.stats(ConnectionPoolStats.HTTP_COMPONENTS))
			.hasValueSatisfying((pool) -> assertThat(pool.maxConnectionsPerRoute()).isEqualTo(256));
	}

	@Test
	void aComparisonRequestIsAnsweredInOpenAisShapeAfterMissingBothCaches() throws Exception {
		JsonNode before = caches();

		ResponseEntity<String> response = this.http.postForEntity("/v1/chat/completions", request(123_456),
				String.class);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		JsonNode completion = JSON.readTree(response.getBody());
		assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
		assertThat(completion.path("choices").get(0).path("message").path("content").asText())
			.isEqualTo(LoopbackOpenAiServer.ANSWER);
		assertThat(completion.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
		assertThat(completion.path("usage").path("prompt_tokens").asInt())
			.isEqualTo(LoopbackOpenAiServer.PROMPT_TOKENS);
		assertThat(completion.path("usage").path("completion_tokens").asInt())
			.isEqualTo(LoopbackOpenAiServer.COMPLETION_TOKENS);
		JsonNode after = caches();
		for (String cache : new String[] { "response", "semantic" }) {
			assertThat(misses(after, cache) - misses(before, cache)).as(cache + " cache misses").isEqualTo(1);
			assertThat(hits(after, cache)).as(cache + " cache hits").isZero();
		}
	}

	@Test
	void aStreamIsRefusedInOpenAisErrorFormat() throws Exception {
		String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

		ResponseEntity<String> response = this.http.postForEntity("/v1/chat/completions", json(body, "tenant-0"),
				String.class);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(JSON.readTree(response.getBody()).path("error").path("type").asText())
			.isEqualTo("invalid_request_error");
	}

	private JsonNode caches() throws Exception {
		return JSON.readTree(this.http.getForObject("/actuator/aicaches", String.class));
	}

	private static long misses(JsonNode caches, String name) {
		return cache(caches, name).path("misses").asLong();
	}

	private static long hits(JsonNode caches, String name) {
		return cache(caches, name).path("hits").asLong();
	}

	private static JsonNode cache(JsonNode caches, String name) {
		for (JsonNode cache : caches.path("caches")) {
			if (cache.path("name").asText().equals(name)) {
				return cache;
			}
		}
		throw new AssertionError("No " + name + " cache in " + caches);
	}

	private static HttpEntity<String> request(int n) {
		return json(ComparisonWorkload.body(n), ComparisonWorkload.tenant(n));
	}

	private static HttpEntity<String> json(String body, String tenant) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		headers.set(ChatCompletionsController.TENANT_HEADER, tenant);
		return new HttpEntity<>(body, headers);
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
