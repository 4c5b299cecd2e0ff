package io.github.airesource.actuate.cache;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.tool.ToolResultCache;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code aicaches} endpoint over HTTP in a whole application, found through
 * {@code AutoConfiguration.imports}: the report in camelCase JSON, one cache, a 404 for
 * an unknown cache, and a {@code DELETE} of one tenant's entries and of the whole cache.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.jackson.property-naming-strategy=SNAKE_CASE", "spring.ai.openai.api-key=test-key",
				"management.endpoints.web.exposure.include=aicaches", "ai.resource.cache.tool.enabled=true",
				"ai.resource.cache.tool.tools.get_current_weather=5m" })
class CachesEndpointWebTests {

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private ToolResultCache cache;

	@Autowired
	private ObjectMapper json;

	@BeforeEach
	void cacheResultsOfTwoTenants() {
		this.cache.clear();
		ToolCallback weather = this.cache.decorate(TestTools.weather());
		weather.call("{\"location\":\"Paris\"}", context("acme"));
		weather.call("{\"location\":\"Rome\"}", context("acme"));
		weather.call("{\"location\":\"Paris\"}", context("globex"));
		weather.call("{\"location\":\"Paris\"}", context("globex"));
	}

	@Test
	void whenTheReportIsFetchedThenItIsCamelCaseJsonOfCountsOnly() throws Exception {
		ResponseEntity<String> response = this.http.getForEntity("/actuator/aicaches", String.class);
		JsonNode report = this.json.readTree(response.getBody());

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(report.at("/caches/0/name").asText()).isEqualTo("tool");
		assertThat(report.at("/caches/0/size").asLong()).isEqualTo(3);
		assertThat(report.at("/caches/0/hitRatio").isNumber()).isTrue();
		assertThat(report.at("/caches/0/savedCost").asText()).isEqualTo("0");
		assertThat(report.at("/caches/0").has("similarity")).as("null parts are left out").isFalse();
		assertThat(response.getBody()).doesNotContain("hit_ratio", "Paris", "acme", "temperature");
	}

	@Test
	void whenAnUnknownCacheIsFetchedThenTheAnswerIs404() {
		assertThat(this.http.getForEntity("/actuator/aicaches/nope", String.class).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void whenOneTenantIsDeletedAndThenTheWholeCacheThenEachAnswerSaysHowManyEntriesWent() throws Exception {
		JsonNode tenant = delete("/actuator/aicaches/tool?tenant=acme");
		assertThat(tenant.at("/removed").asLong()).isEqualTo(2);
		assertThat(tenant.at("/tenant").asText()).isEqualTo("acme");
		assertThat(this.json.readTree(this.http.getForObject("/actuator/aicaches/tool", String.class))
			.at("/size")
			.asLong()).isEqualTo(1);

		JsonNode all = delete("/actuator/aicaches/tool");
		assertThat(all.at("/removed").asLong()).isEqualTo(1);
		assertThat(all.has("tenant")).isFalse();
	}

	private JsonNode delete(String path) throws Exception {
		ResponseEntity<String> response = this.http.exchange(path, HttpMethod.DELETE, null, String.class);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		return this.json.readTree(response.getBody());
	}

	private static ToolContext context(String tenant) {
		return new ToolContext(Map.of(ResourceContextKeys.SCOPE, new CallScope(tenant, "alice", "c-1")));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
