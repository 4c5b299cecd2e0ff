package io.github.airesource.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.airesource.actuate.budget.BudgetKeyDescriptor;
import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.actuate.limits.LimitsDescriptor.DimensionStateDescriptor;
import io.github.airesource.actuate.limits.LimitsEndpoint;
import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.limits.LimitsEndpointAutoConfiguration;
import io.github.airesource.core.HeldResources;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static io.github.airesource.autoconfigure.EndToEndCalls.calls;
import static io.github.airesource.autoconfigure.EndToEndCalls.client;
import static io.github.airesource.autoconfigure.EndToEndCalls.usageOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * What a caller gets, and what becomes of the budget, the rate limits and the bulkhead,
 * when the model provider fails or answers what it should not: HTTP errors, bodies that
 * are not JSON, answers without choices or usage, streams with garbage or cut in the
 * middle of an event, a provider slower than the pool's read timeout. Through the
 * starter's wiring, the real OpenAI client and HTTP. Rate limits have a period of 30
 * days, so that what flows back by itself during a test is a small fraction of a token: a
 * full bucket after a failure is capacity given back, not refilled.
 */
class ProviderFaultsEndToEndTests {

	private static final String QUESTION = "What is the capital of France?";

	private static final long BUDGET = 100_000;

	private static final long TOKENS = 10_000;

	private static final long REQUESTS = 100;

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withConfiguration(AutoConfigurations.of(LimitsEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=aiusage,aibudgets,ailimits",
				"ai.resource.budget.enabled=true", "ai.resource.budget.limits.per-user-daily.scope=user",
				"ai.resource.budget.limits.per-user-daily.max-tokens=" + BUDGET, "ai.resource.rate-limit.enabled=true",
				"ai.resource.rate-limit.limits.user-tokens.scope=user",
				"ai.resource.rate-limit.limits.user-tokens.tokens=" + TOKENS,
				"ai.resource.rate-limit.limits.user-tokens.period=30d",
				"ai.resource.rate-limit.limits.user-requests.scope=user",
				"ai.resource.rate-limit.limits.user-requests.requests=" + REQUESTS,
				"ai.resource.rate-limit.limits.user-requests.period=30d", "ai.resource.concurrency.enabled=true",
				"ai.resource.concurrency.max-concurrent=2");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@ParameterizedTest
	@ValueSource(ints = { 400, 401, 403, 404, 422, 429, 500, 502, 503 })
	void whenTheProviderAnswersAnErrorStatusThenTheCallFailsWithItAndEverythingReservedComesBack(int status) {
		this.server.fail(status, "The model `gpt-4o-mini` failed with " + status);

		this.runner.run((context) -> {
			Class<? extends RuntimeException> expected = (status < 500) ? NonTransientAiException.class
					: TransientAiException.class;
			assertThatThrownBy(() -> ask(client(context)).call().content()).isInstanceOf(expected)
				.hasMessageContaining(String.valueOf(status))
				.hasMessageContaining("failed with " + status);

			assertThat(this.server.requestCount()).isEqualTo(1);
			assertFailedAndGivenBack(context);
		});
	}

	@ParameterizedTest
	@ValueSource(ints = { 400, 401, 404, 500, 503 })
	void whenTheProviderAnswersAStreamWithAnErrorStatusThenTheStreamFailsWithItAndEverythingReservedComesBack(
			int status) {
		this.server.fail(status, "The model `gpt-4o-mini` failed with " + status);

		this.runner.run((context) -> {
			assertThatThrownBy(
					() -> ask(client(context)).stream().content().collectList().block(Duration.ofSeconds(20)))
				.isInstanceOfSatisfying(WebClientResponseException.class,
						(ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(status));

			assertThat(this.server.requestCount()).isEqualTo(1);
			await().untilAsserted(() -> assertFailedAndGivenBack(context));
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/json|{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{",
			"text/html|<html><body><h1>502 Bad Gateway</h1></body></html>",
			"application/json|The server is overloaded, try again later." })
	void whenTheBodyIsNotAChatCompletionThenTheCallFailsAndEverythingReservedComesBack(String answer) {
		String[] parts = answer.split("\\|", 2);
		this.server.replyRaw(200, parts[0], parts[1]);

		this.runner.run((context) -> {
			assertThatThrownBy(() -> ask(client(context)).call().content()).isInstanceOf(RestClientException.class);

			assertFailedAndGivenBack(context);
		});
	}

	@Test
	void whenTheAnswerHasNoChoicesThenTheCallReturnsNoTextAndItsPromptIsBilledAsAnEstimate() {
		this.server.replyRaw(200, "application/json",
				"{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
						+ "\"model\":\"gpt-4o-mini-2024-07-18\",\"usage\":{\"prompt_tokens\":14,"
						+ "\"completion_tokens\":0,\"total_tokens\":14}}");

		this.runner.run((context) -> {
			ChatClientResponse response = ask(client(context)).call().chatClientResponse();

			assertThat(response.chatResponse().getResults()).isEmpty();
			UsageRecord record = usageOf(response);
			assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			// Spring AI drops the whole answer, usage included, when it has no choices.
			assertThat(record.estimated()).isTrue();
			assertThat(record.promptTokens()).isEqualTo(promptTokens());
			assertThat(record.completionTokens()).isZero();
			assertSettledTo(context, record);
		});
	}

	@Test
	void whenTheAnswerHasNoUsageThenItsTokensAreEstimatedAndTheLimitsSettleToTheEstimate() {
		this.server.reply(OpenAiCompletion.text("Paris is the capital of France.").withoutUsage());

		this.runner.run((context) -> {
			ChatClientResponse response = ask(client(context)).call().chatClientResponse();

			assertThat(response.chatResponse().getResult().getOutput().getText())
				.isEqualTo("Paris is the capital of France.");
			UsageRecord record = usageOf(response);
			assertThat(record.estimated()).isTrue();
			assertThat(record.promptTokens()).isEqualTo(promptTokens());
			assertThat(record.completionTokens())
				.isEqualTo(TokenCounter.create().countText("Paris is the capital of France.", "gpt-4o-mini"));
			assertSettledTo(context, record);
		});
	}

	@Test
	void whenAStreamCarriesAChunkThatIsNotJsonThenItFailsAfterTheTextSoFarWhichIsBilledAsAnEstimate() {
		String model = "gpt-4o-mini-2024-07-18";
		this.server.streamRaw(this.server.textChunk(model, "Par"), this.server.textChunk(model, "is"),
				this.server.textChunk(model, " is"), "{\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":", "[DONE]");

		this.runner.run(ProviderFaultsEndToEndTests::assertStreamFailsAfterItsText);
	}

	@Test
	void whenAStreamIsCutInTheMiddleOfAnEventThenItFailsAfterTheTextSoFarWhichIsBilledAsAnEstimate() {
		String model = "gpt-4o-mini-2024-07-18";
		this.server.streamCutAfter("data: " + this.server.textChunk(model, "Par") + "\n\ndata: "
				+ this.server.textChunk(model, "is") + "\n\ndata: " + this.server.textChunk(model, " is") + "\n\n"
				+ "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chu");

		// The client reads the half event that arrived as an event of its own.
		this.runner.run(ProviderFaultsEndToEndTests::assertStreamFailsAfterItsText);
	}

	@Test
	void whenAStreamEndsWithoutFinishReasonOrDoneThenWhatArrivedIsTheAnswerBilledAsAnEstimate() {
		String model = "gpt-4o-mini-2024-07-18";
		this.server.streamRaw(this.server.textChunk(model, "Par"), this.server.textChunk(model, "is."));

		this.runner.run((context) -> {
			List<ChatClientResponse> responses = ask(client(context)).stream()
				.chatClientResponse()
				.collectList()
				.block(Duration.ofSeconds(20));

			assertThat(responses)
				.extracting((response) -> (response.chatResponse().getResult() != null)
						? response.chatResponse().getResult().getOutput().getText() : "")
				.containsSubsequence("Par", "is.");
			UsageRecord record = usageOf(responses.get(responses.size() - 1));
			assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			assertThat(record.estimated()).isTrue();
			assertThat(record.completionTokens())
				.isEqualTo(TokenCounter.create().countText("Paris.", "gpt-4o-mini-2024-07-18"));
			await().untilAsserted(() -> assertSettledTo(context, record));
		});
	}

	@Test
	void whenTheProviderIsSlowerThanThePoolsReadTimeoutThenTheCallFailsAndEverythingReservedComesBack() {
		this.server.replySlowly(OpenAiCompletion.text("Paris.").usage(14, 2), Duration.ofSeconds(10));

		this.runner.withPropertyValues("ai.resource.pool.read-timeout=1s").run((context) -> {
			long start = System.nanoTime();
			assertThatThrownBy(() -> ask(client(context)).call().content()).isInstanceOf(ResourceAccessException.class);

			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
			assertFailedAndGivenBack(context);
		});
	}

	/**
	 * The call is recorded as an error without tokens, its budget reservation and its
	 * rate-limit tokens are given back (its request stays counted, as the provider
	 * counted it), and nothing is held: no permit, no reservation.
	 */
	private static void assertFailedAndGivenBack(ApplicationContext context) {
		assertThat(calls(context, "error")).isEqualTo(1);
		UsageDescriptor.TotalsDescriptor alice = context.getBean(UsageEndpoint.class).scope("user", "alice").total();
		assertThat(alice.calls()).isEqualTo(1);
		assertThat(alice.failedCalls()).isEqualTo(1);
		assertThat(alice.totalTokens()).isZero();
		BudgetKeyDescriptor budget = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
		assertThat(budget.usedTokens()).isZero();
		assertThat(budget.reservedTokens()).isZero();
		assertRemaining(context, "user-tokens", TOKENS);
		assertRemaining(context, "user-requests", REQUESTS - 1);
		assertNothingHeld(context);
	}

	/**
	 * A stream that fails on a chunk that is not JSON after the provider started
	 * answering: an error, billed for its prompt and the text it produced, counted
	 * locally; the budget and the token rate settle to that, and nothing is held.
	 */
	private static void assertStreamFailsAfterItsText(ApplicationContext context) {
		List<String> chunks = new CopyOnWriteArrayList<>();
		assertThatThrownBy(() -> ask(client(context)).stream()
			.content()
			.doOnNext(chunks::add)
			.collectList()
			.block(Duration.ofSeconds(20))).isInstanceOf(RuntimeException.class).hasMessageContaining("Failed to json");
		String received = String.join("", chunks);
		// Spring AI holds the latest chunk back until the next one arrives, so the text
		// before the failure arrives but for its last chunk.
		assertThat(received).isEqualTo("Paris");
		await().untilAsserted(() -> assertThat(calls(context, "error")).isEqualTo(1));
		UsageDescriptor.TotalsDescriptor alice = context.getBean(UsageEndpoint.class).scope("user", "alice").total();
		assertThat(alice.failedCalls()).isEqualTo(1);
		assertThat(alice.promptTokens()).isEqualTo(promptTokens());
		assertThat(alice.completionTokens())
			.isEqualTo(TokenCounter.create().countText(received, "gpt-4o-mini-2024-07-18"));
		long billed = alice.promptTokens() + alice.completionTokens();
		await().untilAsserted(() -> {
			BudgetKeyDescriptor budget = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
			assertThat(budget.usedTokens()).isEqualTo(billed);
			assertThat(budget.reservedTokens()).isZero();
			assertRemaining(context, "user-tokens", TOKENS - billed);
			assertNothingHeld(context);
		});
	}

	private static void assertSettledTo(ApplicationContext context, UsageRecord record) {
		long billed = (long) record.promptTokens() + record.completionTokens();
		BudgetKeyDescriptor budget = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
		assertThat(budget.usedTokens()).isEqualTo(billed);
		assertThat(budget.reservedTokens()).isZero();
		assertRemaining(context, "user-tokens", TOKENS - billed);
		assertRemaining(context, "user-requests", REQUESTS - 1);
		assertNothingHeld(context);
	}

	private static void assertNothingHeld(ApplicationContext context) {
		assertThat(context.getBean(ConcurrencyBulkhead.class).active()).isZero();
		for (HeldResources resources : context.getBeansOfType(HeldResources.class).values()) {
			assertThat(resources.held()).allSatisfy((name, count) -> assertThat(count).as(name).isZero());
		}
	}

	private static void assertRemaining(ApplicationContext context, String limit, long expected) {
		List<DimensionStateDescriptor> state = context.getBean(LimitsEndpoint.class).key(limit, "alice").state();
		assertThat(state).singleElement()
			.satisfies((dimension) -> assertThat(dimension.remaining().doubleValue()).as(limit)
				.isCloseTo(expected, within(0.1)));
	}

	private static int promptTokens() {
		return TokenCounter.create().countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total();
	}

	private static ChatClient.ChatClientRequestSpec ask(ChatClient client) {
		return client.prompt().user(QUESTION).advisors((a) -> a.param(ResourceContextKeys.USER, "alice"));
	}

}
