package io.github.airesource.sample;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.airesource.core.tokens.TokenCounter;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample as a client sees it, on the demo model: chat, streaming, chat memory,
 * errors, and the starter's accounting in the {@code aiusage} endpoint and Prometheus.
 * The demo model is forced so that the machine's {@code OPENAI_API_KEY} cannot change the
 * outcome. Metrics export is on (tests switch it off by default) so that Prometheus can
 * be read.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.ai.model.chat=none", "sample.demo-model=true" })
class SampleApplicationTests {

	private static final ObjectMapper JSON = new ObjectMapper()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

	private static final BigDecimal INPUT_PRICE = new BigDecimal("0.15");

	private static final BigDecimal OUTPUT_PRICE = new BigDecimal("0.60");

	private final TokenCounter tokenCounter = TokenCounter.create();

	@Test
	void whenAMessageIsPostedThenTheDemoModelRepliesWithTheUsageAndCostOfWhatItReceived(
			@Autowired WebTestClient client) {
		JsonNode answer = chat(client, Map.of("message", "What does the starter count?", "user", "alice"));

		String reply = answer.get("reply").asText();
		List<Message> received = List.of(system(), new UserMessage("What does the starter count?"));
		assertThat(reply).isEqualTo(DemoChatModel.answer(new Prompt(received)))
			.startsWith("[demo model] You asked: \"What does the starter count?\".");
		assertThat(UUID.fromString(answer.get("conversationId").asText())).isNotNull();
		JsonNode usage = answer.get("usage");
		assertThat(usage.get("model").asText()).isEqualTo("demo-model");
		assertThat(usage.get("promptTokens").asInt()).isEqualTo(promptTokens(received)).isPositive();
		assertThat(usage.get("completionTokens").asInt()).isEqualTo(completionTokens(reply)).isPositive();
		assertThat(usage.get("estimated").asBoolean()).isFalse();
		BigDecimal cost = answer.get("cost").decimalValue();
		assertThat(cost).isPositive()
			.isEqualByComparingTo(cost(promptTokens(received), completionTokens(reply)))
			.isEqualByComparingTo(usage.get("cost").decimalValue());
	}

	@Test
	void whenAnAnswerIsStreamedThenTokenEventsMakeUpTheReplyAndAUsageEventFollows(@Autowired WebTestClient client) {
		EventStream stream = EventStream.read(client.get()
			.uri((uri) -> uri.path("/api/chat/stream")
				.queryParam("message", "Stream this, please")
				.queryParam("conversationId", "c-stream")
				.queryParam("user", "bob")
				.build()));

		List<Message> received = List.of(system(), new UserMessage("Stream this, please"));
		String expectedReply = DemoChatModel.answer(new Prompt(received));
		assertThat(stream.named("token")).hasSizeGreaterThan(10);
		assertThat(stream.joined("token")).isEqualTo(expectedReply);
		assertThat(stream.last().name()).isEqualTo("usage");
		JsonNode usage = json(stream.last().data());
		assertThat(usage.get("model").asText()).isEqualTo("demo-model");
		assertThat(usage.get("promptTokens").asInt()).isEqualTo(promptTokens(received)).isPositive();
		assertThat(usage.get("completionTokens").asInt()).isEqualTo(completionTokens(expectedReply)).isPositive();
		assertThat(usage.get("estimated").asBoolean()).isFalse();
		assertThat(usage.get("cost").decimalValue()).isPositive();
	}

	@Test
	@DirtiesContext(methodMode = DirtiesContext.MethodMode.BEFORE_METHOD)
	void whenChattingAndStreamingThenTheUsageEndpointCountsBothCallsForTheUserAndModel(
			@Autowired WebTestClient client) {
		JsonNode posted = chat(client, Map.of("message", "Hello", "user", "carol", "tenant", "acme"));
		EventStream streamed = EventStream.read(client.get()
			.uri((uri) -> uri.path("/api/chat/stream")
				.queryParam("message", "Hello again")
				.queryParam("user", "carol")
				.queryParam("tenant", "acme")
				.build()));
		BigDecimal streamedCost = json(streamed.last().data()).get("cost").decimalValue();
		BigDecimal expectedCost = posted.get("cost").decimalValue().add(streamedCost);

		JsonNode report = read(client, "/actuator/aiusage");

		JsonNode total = report.at("/global/total");
		assertThat(total.get("calls").asLong()).isEqualTo(2);
		assertThat(total.get("failedCalls").asLong()).isZero();
		assertThat(total.get("cost").decimalValue()).isEqualByComparingTo(expectedCost);
		assertThat(report.get("models").has("demo-model")).isTrue();
		assertThat(report.at("/models/demo-model/total/calls").asLong()).isEqualTo(2);
		assertThat(report.at("/scopes/user/top/0/id").asText()).isEqualTo("carol");
		assertThat(report.at("/scopes/user/top/0/usage/total/calls").asLong()).isEqualTo(2);
		assertThat(report.at("/scopes/tenant/top/0/id").asText()).isEqualTo("acme");
		assertThat(report.get("unpricedModels")).isEmpty();
	}

	@Test
	void whenAConversationContinuesThenTheModelReceivesItsHistory(@Autowired WebTestClient client) {
		JsonNode first = chat(client,
				Map.of("message", "My name is Dana.", "conversationId", "c-memory", "user", "dana"));
		JsonNode second = chat(client,
				Map.of("message", "What is my name?", "conversationId", "c-memory", "user", "dana"));

		List<Message> received = List.of(system(), new UserMessage("My name is Dana."),
				new AssistantMessage(first.get("reply").asText()), new UserMessage("What is my name?"));
		assertThat(second.get("conversationId").asText()).isEqualTo("c-memory");
		assertThat(second.at("/usage/promptTokens").asInt()).isEqualTo(promptTokens(received))
			.isGreaterThan(first.at("/usage/promptTokens").asInt());
		assertThat(second.get("reply").asText()).endsWith("Messages remembered from this conversation: 2.");
	}

	@Test
	void whenTheMessageIsBlankThenTheAnswerIsABadRequestProblemDetail(@Autowired WebTestClient client) {
		client.post()
			.uri("/api/chat")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("message", "  "))
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(400)
			.jsonPath("$.detail")
			.isEqualTo("The message must not be blank.")
			.jsonPath("$.instance")
			.isEqualTo("/api/chat");
		client.get()
			.uri("/api/chat/stream?message=")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("The message must not be blank.");
	}

	@Test
	void whenActuatorIsAskedThenHealthIsUpAndPrometheusShowsTokensByModel(@Autowired WebTestClient client) {
		chat(client, Map.of("message", "Count me.", "user", "erin"));

		client.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP");
		String prometheus = client.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(prometheus).contains("ai_resource_tokens_total{").contains("model=\"demo-model\"");
		String tokenLines = prometheus.lines()
			.filter((line) -> line.startsWith("ai_resource_tokens_total{"))
			.collect(Collectors.joining("\n"));
		assertThat(tokenLines).contains("type=\"input\"").contains("type=\"output\"");
	}

	@Test
	void whenAUserSpendsTheDemoBudgetThenTheNextCallIs429WithRetryAfterAndTheBudgetEndpointShowsIt(
			@Autowired WebTestClient client) {
		// A new question each time: a repeated one is answered by the response cache,
		// which spends no budget.
		int answered = 0;
		while (post(client, Map.of("message", "How much is left? #" + answered, "user", "frank"))
			.returnResult(String.class)
			.getStatus()
			.is2xxSuccessful()) {
			answered++;
			assertThat(answered).as("the demo budget allows a few calls, not many").isLessThan(10);
		}

		assertThat(answered).isGreaterThanOrEqualTo(2);
		post(client, Map.of("message", "How much is left? Once more.", "user", "frank")).expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.exists(HttpHeaders.RETRY_AFTER)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.limit")
			.isEqualTo("per-user-daily")
			.jsonPath("$.scope")
			.isEqualTo("user");
		EventStream refused = EventStream.read(client.get()
			.uri((uri) -> uri.path("/api/chat/stream")
				.queryParam("message", "More?")
				.queryParam("user", "frank")
				.build()));
		assertThat(refused.last().name()).isEqualTo("error");
		assertThat(json(refused.last().data()).get("limit").asText()).isEqualTo("per-user-daily");
		JsonNode budget = read(client, "/actuator/aibudgets/per-user-daily/frank");
		assertThat(budget.get("maxTokens").asLong()).isEqualTo(600);
		assertThat(budget.get("usedTokens").asLong()).isPositive().isLessThanOrEqualTo(600);
		assertThat(budget.get("reservedTokens").asLong()).isZero();
		chat(client, Map.of("message", "And me?", "user", "vip"));
	}

	@Test
	@DirtiesContext(methodMode = DirtiesContext.MethodMode.BEFORE_METHOD)
	void whenAUserCallsMoreThanFiveTimesAMinuteThenRateLimitHeadersCountDownAndTheSixthCallIs429(
			@Autowired WebTestClient client) {
		// vip: the budget's bigger plan, so that the rate limit is what refuses. A new
		// question each time: a cached answer takes no rate-limit capacity.
		for (int remaining = 4; remaining >= 0; remaining--) {
			post(client, Map.of("message", "Quick question " + remaining, "user", "vip")).expectStatus()
				.isOk()
				.expectHeader()
				.valueEquals(RateLimitHeaders.RATE_LIMIT_POLICY, "\"per-user-rpm\";q=5;w=60")
				.expectHeader()
				.valueMatches(RateLimitHeaders.RATE_LIMIT, "\"per-user-rpm\";r=" + remaining + ";t=\\d+");
		}

		post(client, Map.of("message", "Quick question 5", "user", "vip")).expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueMatches(HttpHeaders.RETRY_AFTER, "1[0-2]")
			.expectBody()
			.jsonPath("$.limit")
			.isEqualTo("per-user-rpm")
			.jsonPath("$.scope")
			.isEqualTo("user");
		post(client, Map.of("message", "Quick question", "user", "someone-else")).expectStatus().isOk();
		JsonNode bucket = read(client, "/actuator/ailimits/per-user-rpm/vip");
		assertThat(bucket.at("/state/0/dimension").asText()).isEqualTo("requests");
		assertThat(bucket.at("/state/0/remaining").asLong()).isZero();
		JsonNode limits = read(client, "/actuator/ailimits");
		assertThat(limits.at("/concurrency/max").asInt()).isEqualTo(4);
		assertThat(limits.at("/concurrency/active").asInt()).isZero();
	}

	@Test
	@DirtiesContext(methodMode = DirtiesContext.MethodMode.BEFORE_METHOD)
	void whenTheSameFirstQuestionIsAskedAgainThenTheCacheAnswersForFreeAndTheEndpointsShowIt(
			@Autowired WebTestClient client) {
		JsonNode first = chat(client, Map.of("message", "What is a token?", "user", "hana", "tenant", "acme"));
		JsonNode second = chat(client, Map.of("message", "What is a token?", "user", "ivan", "tenant", "acme"));
		JsonNode otherTenant = chat(client, Map.of("message", "What is a token?", "user", "judy", "tenant", "globex"));
		EventStream streamed = EventStream.read(client.get()
			.uri((uri) -> uri.path("/api/chat/stream")
				.queryParam("message", "What is a token?")
				.queryParam("user", "ken")
				.queryParam("tenant", "acme")
				.build()));

		assertThat(first.get("cache").asText()).isEqualTo("miss");
		assertThat(second.get("cache").asText()).isEqualTo("hit-exact");
		assertThat(second.get("reply").asText()).isEqualTo(first.get("reply").asText());
		assertThat(second.get("usage").isNull()).isTrue();
		assertThat(otherTenant.get("cache").asText()).as("tenants never share answers").isEqualTo("miss");
		assertThat(streamed.named("token")).hasSizeGreaterThan(1);
		assertThat(streamed.joined("token")).isEqualTo(first.get("reply").asText());
		assertThat(streamed.named("cache")).singleElement()
			.satisfies((event) -> assertThat(event.data()).isEqualTo("hit-exact"));
		JsonNode total = read(client, "/actuator/aiusage").at("/global/total");
		assertThat(total.get("calls").asLong()).isEqualTo(4);
		assertThat(total.get("cacheHits").asLong()).isEqualTo(2);
		long firstTokens = first.at("/usage/promptTokens").asLong() + first.at("/usage/completionTokens").asLong();
		assertThat(total.get("savedTokens").asLong()).isEqualTo(2 * firstTokens).isPositive();
		assertThat(total.get("savedCost").decimalValue())
			.isEqualByComparingTo(first.get("cost").decimalValue().multiply(BigDecimal.valueOf(2)));
		JsonNode caches = read(client, "/actuator/aicaches");
		assertThat(caches.at("/caches/0/name").asText()).isEqualTo("response");
		assertThat(caches.at("/caches/0/hits").asLong()).isEqualTo(2);
		assertThat(caches.at("/caches/0/size").asLong()).isEqualTo(2);
		assertThat(caches.toString()).doesNotContain("What is a token");
		client.delete()
			.uri("/actuator/aicaches/response?tenant=acme")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.removed")
			.isEqualTo(1);
		assertThat(chat(client, Map.of("message", "What is a token?", "user", "hana", "tenant", "acme")).get("cache")
			.asText()).isEqualTo("miss");
	}

	@Test
	@DirtiesContext(methodMode = DirtiesContext.MethodMode.BEFORE_METHOD)
	void whenAConversationOutgrowsTheHistoryLimitThenOldTurnsAreSummarizedAndThePromptStaysUnderIt(
			@Autowired WebTestClient client) {
		// vip: the budget's bigger plan; four long turns cross the demo's 1,500-token
		// limit.
		JsonNode last = null;
		for (int turn = 1; turn <= 4; turn++) {
			String message = ("Tell me more about the number " + turn + ", please, in some detail. ").repeat(30);
			last = chat(client, Map.of("message", message, "conversationId", "c-long", "user", "vip"));
			assertThat(last.at("/usage/promptTokens").asInt()).isLessThanOrEqualTo(1500);
		}

		// Without trimming the model would remember 6 messages (three turns and the
		// question).
		String reply = last.get("reply").asText();
		int remembered = Integer
			.parseInt(reply.replaceAll("(?s).*Messages remembered from this conversation: (\\d+)\\.$", "$1"));
		assertThat(remembered).isLessThan(6);
		JsonNode history = read(client, "/actuator/aiusage").get("history");
		assertThat(history.get("trimmedCalls").asLong()).isBetween(1L, 2L);
		assertThat(history.get("trimmedTokens").asLong()).isPositive();
		assertThat(history.get("summaries").asLong()).isPositive()
			.isEqualTo(history.get("summaryCalls").asLong())
			.isEqualTo(history.get("cuts").asLong());
		assertThat(history.get("summaryCost").decimalValue()).isPositive();
	}

	@Test
	void whenThePromptIsLargerThanTheHistoryLimitAllowsThenTheAnswerIs413AndNothingIsCharged(
			@Autowired WebTestClient client) {
		// The demo's history limit (1,500 tokens) refuses a message that cannot fit
		// before
		// the prompt guard's (2,000) would; both are a 413.
		String huge = "word ".repeat(2500);

		post(client, Map.of("message", huge, "user", "gina")).expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.doesNotExist(HttpHeaders.RETRY_AFTER)
			.expectBody()
			.jsonPath("$.limit")
			.isEqualTo("history-max-tokens")
			.jsonPath("$.title")
			.isEqualTo("Prompt too large");
		JsonNode budget = read(client, "/actuator/aibudgets/per-user-daily/gina");
		assertThat(budget.get("usedTokens").asLong()).isZero();
		assertThat(budget.get("reservedTokens").asLong()).isZero();
	}

	/**
	 * Read an endpoint's JSON, asserting it answered 200.
	 */
	private static JsonNode read(WebTestClient client, String uri) {
		return json(client.get()
			.uri(uri)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody());
	}

	private WebTestClient.ResponseSpec post(WebTestClient client, Map<String, String> request) {
		return client.post().uri("/api/chat").contentType(MediaType.APPLICATION_JSON).bodyValue(request).exchange();
	}

	private JsonNode chat(WebTestClient client, Map<String, String> request) {
		String body = client.post()
			.uri("/api/chat")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(request)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		return json(body);
	}

	private static SystemMessage system() {
		return new SystemMessage(ChatController.SYSTEM_PROMPT);
	}

	private int promptTokens(List<Message> received) {
		return this.tokenCounter.countPrompt(new Prompt(received), DemoChatModel.BILLED_AS).total();
	}

	private int completionTokens(String reply) {
		return this.tokenCounter.countText(reply, DemoChatModel.BILLED_AS);
	}

	private static BigDecimal cost(int promptTokens, int completionTokens) {
		return BigDecimal.valueOf(promptTokens)
			.multiply(INPUT_PRICE)
			.add(BigDecimal.valueOf(completionTokens).multiply(OUTPUT_PRICE))
			.movePointLeft(6);
	}

	private static JsonNode json(String text) {
		try {
			return JSON.readTree(text);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Not JSON: " + text, ex);
		}
	}

}
