package io.github.airesource.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard under {@code grafana/} queries only metrics the sample exposes in
 * {@code /actuator/prometheus}. The sample runs on the demo model with a global budget
 * (so that {@code ai.resource.budget.used} exists) and a routing rule for one tenant (so
 * that {@code ai.resource.routing.routed} does), and is sent a few calls first, since
 * some meters appear only with their first event.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "spring.ai.model.chat=none",
		"sample.demo-model=true", "ai.resource.budget.limits.service-daily.scope=global",
		"ai.resource.budget.limits.service-daily.period=1d",
		"ai.resource.budget.limits.service-daily.max-tokens=1000000", "ai.resource.routing.enabled=true",
		"ai.resource.routing.rules[0].name=routed-tenant", "ai.resource.routing.rules[0].tenants=routed",
		"ai.resource.routing.rules[0].model=demo-model-mini", "ai.resource.pricing.models.demo-model-mini.input=0.10",
		"ai.resource.pricing.models.demo-model-mini.output=0.40" })
class GrafanaDashboardTests {

	static final Path DASHBOARD = Path.of("..", "grafana", "ai-resource-dashboard.json");

	/** A metric name right before a label selector or a range. */
	private static final Pattern SELECTED = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*[{\\[]");

	/** The starter's metric names, wherever they stand. */
	private static final Pattern STARTER_METRIC = Pattern.compile("\\bai_[a-z0-9_]+");

	@Test
	void whenTheSampleHasServedCallsThenEveryMetricTheGrafanaDashboardQueriesIsInPrometheus(
			@Autowired WebTestClient client) throws IOException {
		chat(client, "Hello", "alice", "acme");
		chat(client, "Hello", "bob", "acme");
		chat(client, "Send me elsewhere", "carol", "routed");

		Set<String> queried = queriedMetrics(new ObjectMapper().readTree(DASHBOARD.toFile()));
		String exposition = client.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		Set<String> exposed = exposition.lines()
			.filter((line) -> !line.startsWith("#") && !line.isBlank())
			.map((line) -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toCollection(TreeSet::new));

		assertThat(queried).contains("ai_resource_tokens_total", "ai_resource_cost_usd_total",
				"ai_resource_calls_total", "ai_resource_cache_lookups_total", "ai_resource_cache_saved_tokens_total",
				"ai_resource_cache_saved_cost_usd_total", "ai_resource_budget_used",
				"ai_resource_limit_wait_seconds_sum", "ai_resource_limit_wait_seconds_count",
				"ai_resource_concurrency_active", "ai_resource_concurrency_queued",
				"ai_resource_rate_limit_rejections_total", "ai_resource_history_trimmed_messages_total",
				"ai_resource_routing_routed_total");
		assertThat(exposed).containsAll(queried);
	}

	@Test
	void whenTheGrafanaDashboardIsReadThenEveryPanelHasAPrometheusQueryOnTheDatasourceVariable() throws IOException {
		JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

		assertThat(dashboard.get("panels")).hasSizeGreaterThanOrEqualTo(10);
		for (JsonNode panel : dashboard.get("panels")) {
			assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo("${datasource}");
			assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
			panel.get("targets")
				.forEach((target) -> assertThat(target.get("expr").asText()).as(panel.get("title").asText())
					.containsPattern(STARTER_METRIC));
		}
	}

	@Test
	void whenAQueryIsReadThenItsMetricNamesAreFoundButNotItsFunctionsLabelsOrVariables() {
		assertThat(
				metricsIn("sum by (kind) (rate(ai_resource_limit_wait_seconds_sum{kind=~\"$kind\"}[$__rate_interval]))"
						+ " / sum by (kind) (rate(ai_resource_limit_wait_seconds_count[5m])) + max(ai_resource_budget_used)"
						+ " + up{job=\"x\"}"))
			.containsExactlyInAnyOrder("ai_resource_limit_wait_seconds_sum", "ai_resource_limit_wait_seconds_count",
					"ai_resource_budget_used", "up");
	}

	static Set<String> queriedMetrics(JsonNode dashboard) {
		Set<String> names = new TreeSet<>();
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode target : panel.path("targets")) {
				names.addAll(metricsIn(target.get("expr").asText()));
			}
		}
		return names;
	}

	static Set<String> metricsIn(String promQl) {
		Set<String> names = new TreeSet<>();
		Matcher selected = SELECTED.matcher(promQl);
		while (selected.find()) {
			names.add(selected.group(1));
		}
		Matcher starter = STARTER_METRIC.matcher(promQl);
		while (starter.find()) {
			names.add(starter.group());
		}
		return names;
	}

	private static void chat(WebTestClient client, String message, String user, String tenant) {
		client.post()
			.uri("/api/chat")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("message", message, "user", user, "tenant", tenant))
			.exchange()
			.expectStatus()
			.isOk();
	}

}
