package io.github.airesource.sample;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample with a real model provider: Spring AI's OpenAI client talks to a loopback
 * server that speaks OpenAI's wire format, and the starter bills the tokens that server
 * reports.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.ai.openai.api-key=test", "spring.ai.openai.chat.options.model=gpt-4o-mini",
				"spring.ai.retry.max-attempts=1", "sample.demo-model=false" })
class OpenAiModeTests {

	private static final OpenAiWireServer SERVER = OpenAiWireServer.start();

	@DynamicPropertySource
	static void openAiBaseUrl(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.openai.base-url", SERVER::baseUrl);
	}

	@AfterAll
	static void stopServer() {
		SERVER.close();
	}

	@Test
	void whenAKeyIsConfiguredThenOpenAiAnswersAndItsReportedUsageIsBilled(@Autowired WebTestClient client,
			@Autowired ApplicationContext context) {
		SERVER.reply(OpenAiCompletion.text("Paris.").usage(30, 2).model("gpt-4o-mini-2024-07-18"));

		JsonNode answer = client.post()
			.uri("/api/chat")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("message", "Capital of France?", "user", "alice"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();

		assertThat(context.getBeansOfType(ChatModel.class).values()).singleElement()
			.isInstanceOf(OpenAiChatModel.class);
		assertThat(answer.get("reply").asText()).isEqualTo("Paris.");
		JsonNode usage = answer.get("usage");
		assertThat(usage.get("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
		assertThat(usage.get("promptTokens").asInt()).isEqualTo(30);
		assertThat(usage.get("completionTokens").asInt()).isEqualTo(2);
		assertThat(usage.get("estimated").asBoolean()).isFalse();
		// gpt-4o-mini: 30 * 0.15 + 2 * 0.60 per 1M tokens
		assertThat(answer.get("cost").decimalValue()).isEqualByComparingTo("0.0000057");
		JsonNode request = SERVER.takeRequest();
		assertThat(request.at("/messages/0/role").asText()).isEqualTo("system");
		assertThat(request.at("/messages/0/content").asText()).isEqualTo(ChatController.SYSTEM_PROMPT);
		assertThat(request.at("/messages/1/content").asText()).isEqualTo("Capital of France?");
	}

	@Test
	void whenTheProviderFailsThenTheAnswerIsA502ProblemDetailThatDoesNotRepeatTheProvidersError(
			@Autowired WebTestClient client) {
		SERVER.fail(401, "Incorrect API key provided: sk-abc***xyz");
		SERVER.replyRaw(200, "text/html", "<html><body>502 Bad Gateway</body></html>");

		// Questions of their own: the sample's response cache answers a repeated one.
		for (String question : new String[] { "Capital of Peru?", "Capital of Chile?" }) {
			JsonNode problem = client.post()
				.uri("/api/chat")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("message", question, "user", "bob"))
				.exchange()
				.expectStatus()
				.isEqualTo(502)
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody();

			assertThat(problem.get("title").asText()).isEqualTo("Model provider failed");
			assertThat(problem.get("status").asInt()).isEqualTo(502);
			assertThat(problem.toString()).doesNotContain("sk-abc", "Incorrect API key", "html");
			assertThat(SERVER.takeRequest().at("/messages/1/content").asText()).isEqualTo(question);
		}
	}

	@Test
	void whenTheProviderFailsDuringAStreamThenTheStreamEndsWithA502ErrorEvent(@Autowired WebTestClient client) {
		SERVER.fail(500, "The server had an error while processing your request.");

		// The first stream of a context starts Reactor Netty: seconds on a busy machine.
		EventStream stream = EventStream.read(client.mutate()
			.responseTimeout(Duration.ofSeconds(60))
			.build()
			.get()
			.uri((uri) -> uri.path("/api/chat/stream")
				.queryParam("message", "Describe Lima.")
				.queryParam("user", "bob")
				.build()));

		assertThat(stream.named("token")).isEmpty();
		assertThat(stream.named("error")).singleElement()
			.satisfies((error) -> assertThat(error.data()).contains("\"status\":502", "Model provider failed")
				.doesNotContain("processing your request"));
		assertThat(SERVER.takeRequest().get("stream").asBoolean()).isTrue();
	}

	@Test
	void whenOpenAiStreamsThenTokensArriveIntactAndOneUsageEventCarriesItsFigures(@Autowired WebTestClient client) {
		// Leading spaces and line breaks, as real model tokens have them.
		SERVER.stream(OpenAiCompletion.text("Par", "is", " is", " lovely.", "\n", " Bye.").usage(40, 6));

		EventStream stream = EventStream.read(client.get()
			.uri((uri) -> uri.path("/api/chat/stream").queryParam("message", "Describe Paris.").build()));

		assertThat(stream.joined("token")).isEqualTo("Paris is lovely.\n Bye.");
		assertThat(stream.named("usage")).singleElement().isEqualTo(stream.last());
		assertThat(stream.last().data()).contains("\"promptTokens\":40", "\"completionTokens\":6",
				"\"estimated\":false");
		JsonNode request = SERVER.takeRequest();
		assertThat(request.get("stream").asBoolean()).isTrue();
		assertThat(request.at("/stream_options/include_usage").asBoolean()).isTrue();
	}

}
