package io.github.airesource.core.usage;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The usage advisor end to end: a real {@link ChatClient} over the real OpenAI client,
 * talking HTTP to a loopback server that speaks the OpenAI wire format.
 */
class UsageAdvisorTests {

	private static final String QUESTION = "What is the capital of France?";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final TokenCounter tokenCounter = TokenCounter.create();

	private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(100, MutableClock.atNewYear2026());

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of(this.ledger, (record, scope) -> this.recorded.add(new Recorded(record, scope))));

	private final UsageAdvisor advisor = UsageAdvisor.builder(this.recorder).tokenCounter(this.tokenCounter).build();

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenProviderReportsUsageThenExactTokensAndCostWithCachedAndReasoningDetails() {
		this.server.reply(OpenAiCompletion.text("Paris.")
			.model("gpt-4o-2024-08-06")
			.usage(1200, 300)
			.cachedTokens(1000)
			.reasoningTokens(100));

		ChatClientResponse response = client().prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice").param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.chatClientResponse();

		UsageRecord record = single().record();
		assertThat(record.model()).isEqualTo("gpt-4o-2024-08-06");
		assertThat(record.promptTokens()).isEqualTo(1200);
		assertThat(record.cachedPromptTokens()).isEqualTo(1000);
		assertThat(record.completionTokens()).isEqualTo(300);
		assertThat(record.reasoningTokens()).isEqualTo(100);
		assertThat(record.estimated()).isFalse();
		assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
		// gpt-4o: 200 uncached * 2.50 + 1000 cached * 1.25 + 300 output * 10.00, per 1M
		assertThat(record.cost()).isEqualByComparingTo("0.00475");
		assertThat(response.context().get(ResourceContextKeys.USAGE)).isEqualTo(record);
		assertThat(single().scope()).isEqualTo(CallScope.of("acme", "alice", null));
		assertThat(this.ledger.scope(ScopeType.USER, "alice").orElseThrow().total().cost())
			.isEqualByComparingTo("0.00475");
	}

	@Test
	void whenProviderReportsNoUsageThenCountedLocallyAndFlaggedEstimated() {
		this.server.reply(OpenAiCompletion.text("The capital of France is Paris.").withoutUsage());

		client().prompt().user(QUESTION).call().content();

		UsageRecord record = single().record();
		assertThat(record.estimated()).isTrue();
		assertThat(record.model()).isEqualTo("gpt-4o-mini-2024-07-18");
		assertThat(record.promptTokens())
			.isEqualTo(this.tokenCounter.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total());
		assertThat(record.completionTokens())
			.isEqualTo(this.tokenCounter.countText("The capital of France is Paris.", "gpt-4o-mini"));
		assertThat(record.cost()).isPositive();
	}

	@Test
	void whenStreamReportsUsageTwiceThenTheLastIsTakenNotTheSum() {
		this.server.stream(OpenAiCompletion.text("Par", "is", " it is.").usage(50, 3));

		List<ChatClientResponse> responses = streamResponses(client());

		UsageRecord record = single().record();
		assertThat(record.promptTokens()).isEqualTo(50);
		assertThat(record.completionTokens()).isEqualTo(3);
		assertThat(record.estimated()).isFalse();
		assertThat(text(responses)).isEqualTo("Paris it is.");
		assertThat(responses.get(responses.size() - 1).context().get(ResourceContextKeys.USAGE)).isEqualTo(record);
		assertThat(responses.subList(0, responses.size() - 1))
			.allSatisfy((response) -> assertThat(response.context()).doesNotContainKey(ResourceContextKeys.USAGE));
		JsonNode sent = this.server.takeRequest();
		assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
	}

	@Test
	void whenModelHasSentOnlyTheFirstTextThenTheSubscriberAlreadyHasItAsWithoutTheAdvisor() {
		// The server sends the role chunk, "one " and "two ", then stalls. Spring AI's
		// OpenAI client holds back one chunk (to move usage onto the finish chunk), so a
		// bare client delivers "one " and keeps "two ": the advisor must not wait for
		// another chunk before passing text on.
		OpenAiCompletion stalling = OpenAiCompletion.text("one ", "two ", "three").usage(40, 3).stallAfter(2);
		this.server.stream(stalling).stream(stalling);
		ChatClient bare = ChatClient.builder(OpenAiTestModels.chatModel(this.server)).build();

		String bareFirst = bare.prompt().user(QUESTION).stream().content().next().block(Duration.ofSeconds(5));
		String advisedFirst = client().prompt().user(QUESTION).stream().content().next().block(Duration.ofSeconds(5));

		assertThat(bareFirst).isEqualTo("one ");
		assertThat(advisedFirst).isEqualTo("one ");
	}

	@ParameterizedTest(name = "stream usage {0}")
	@ValueSource(booleans = { true, false })
	void whenStreamingThenContentIsExactlyTheTextChunksAndTheLastElementCarriesTheRecord(boolean streamUsage) {
		OpenAiCompletion answer = OpenAiCompletion.text("Par", "is", " it is.");
		if (streamUsage) {
			answer.usage(50, 3);
		}
		else {
			answer.withoutUsage();
		}
		this.server.stream(answer).stream(answer);

		List<String> content = client(streamUsage).prompt()
			.user(QUESTION)
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(10));
		ChatClientResponse last = client(streamUsage).prompt()
			.user(QUESTION)
			.stream()
			.chatClientResponse()
			.blockLast(Duration.ofSeconds(10));

		assertThat(content).containsExactly("Par", "is", " it is.");
		assertThat(this.recorded).hasSize(2);
		assertThat(last.context().get(ResourceContextKeys.USAGE)).isEqualTo(this.recorded.get(1).record());
		assertThat(this.recorded.get(1).record().estimated()).isEqualTo(!streamUsage);
	}

	@Test
	void whenTheLastElementCarriesTextThenOneElementWithoutOutputFollowsWithTheRecord() {
		// OpenAI ends a stream with chunks without text; a provider that puts text and
		// usage into its last chunk gets one extra element, so that no text waits.
		ChatResponseMetadata last = ChatResponseMetadata.builder()
			.model("gpt-4o-mini")
			.usage(new DefaultUsage(20, 2))
			.build();
		ChatClient client = ChatClient
			.builder(streamingModel(Flux.just(new ChatResponse(List.of(new Generation(new AssistantMessage("Par")))),
					new ChatResponse(List.of(new Generation(new AssistantMessage("is."))), last))))
			.defaultAdvisors(this.advisor)
			.build();

		List<ChatClientResponse> responses = streamResponses(client);
		List<String> content = client.prompt().user(QUESTION).stream().content().collectList().block();

		assertThat(content).containsExactly("Par", "is.");
		assertThat(responses).hasSize(3);
		assertThat(text(responses.subList(0, 2))).isEqualTo("Paris.");
		assertThat(responses.subList(0, 2))
			.allSatisfy((response) -> assertThat(response.context()).doesNotContainKey(ResourceContextKeys.USAGE));
		ChatClientResponse extra = responses.get(2);
		assertThat(extra.chatResponse().getResults()).isEmpty();
		assertThat(extra.chatResponse().getMetadata().getModel()).isEqualTo("gpt-4o-mini");
		UsageRecord record = this.recorded.get(0).record();
		assertThat(record.promptTokens()).isEqualTo(20);
		assertThat(record.completionTokens()).isEqualTo(2);
		assertThat(extra.context().get(ResourceContextKeys.USAGE)).isEqualTo(record);
	}

	@Test
	void whenTheModelStreamsNothingThenOneElementWithoutOutputCarriesTheRecord() {
		ChatClient client = ChatClient.builder(streamingModel(Flux.empty())).defaultAdvisors(this.advisor).build();

		List<ChatClientResponse> responses = streamResponses(client);

		assertThat(responses).hasSize(1);
		assertThat(responses.get(0).chatResponse().getResults()).isEmpty();
		assertThat(responses.get(0).context().get(ResourceContextKeys.USAGE)).isEqualTo(single().record());
		assertThat(single().record().totalTokens()).as("the provider never started answering").isZero();
	}

	@Test
	void whenStreamHasNoUsageThenEstimatedFromPromptAndStreamedText() {
		this.server.stream(OpenAiCompletion.text("Par", "is", " it is.").withoutUsage());

		String content = client(false).prompt()
			.user(QUESTION)
			.stream()
			.content()
			.collectList()
			.map((parts) -> String.join("", parts))
			.block(Duration.ofSeconds(10));

		UsageRecord record = single().record();
		assertThat(content).isEqualTo("Paris it is.");
		assertThat(record.estimated()).isTrue();
		assertThat(record.promptTokens())
			.isEqualTo(this.tokenCounter.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total());
		assertThat(record.completionTokens()).isEqualTo(this.tokenCounter.countText("Paris it is.", "gpt-4o-mini"));
	}

	@Test
	void whenModelRunsToolLoopThenCumulativeUsageIsRecordedOnce() {
		AtomicInteger toolCalls = new AtomicInteger();
		this.server
			.reply(OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}")
				.usage(100, 20))
			.reply(OpenAiCompletion.text("It is 21 degrees in Paris.").usage(150, 10));

		String answer = client().prompt()
			.user("Weather in Paris?")
			.toolCallbacks(TestTools.weather(toolCalls))
			.call()
			.content();

		assertThat(answer).isEqualTo("It is 21 degrees in Paris.");
		assertThat(toolCalls).hasValue(1);
		assertThat(this.server.requestCount()).isEqualTo(2);
		UsageRecord record = single().record();
		assertThat(record.promptTokens()).isEqualTo(250);
		assertThat(record.completionTokens()).isEqualTo(30);
		// gpt-4o-mini: 250 * 0.15 + 30 * 0.60 per 1M
		assertThat(record.cost()).isEqualByComparingTo("0.0000555");
	}

	@Test
	void whenStreamingModelRunsToolLoopThenCumulativeUsageIsRecordedOnce() {
		AtomicInteger toolCalls = new AtomicInteger();
		this.server
			.stream(OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}")
				.usage(100, 20))
			.stream(OpenAiCompletion.text("It is ", "21 degrees.").usage(150, 10));

		String answer = client().prompt()
			.user("Weather in Paris?")
			.toolCallbacks(TestTools.weather(toolCalls))
			.stream()
			.content()
			.collectList()
			.map((parts) -> String.join("", parts))
			.block(Duration.ofSeconds(10));

		assertThat(answer).isEqualTo("It is 21 degrees.");
		assertThat(toolCalls).hasValue(1);
		UsageRecord record = single().record();
		assertThat(record.promptTokens()).isEqualTo(250);
		assertThat(record.completionTokens()).isEqualTo(30);
	}

	@Test
	void whenProviderFailsThenErrorIsRecordedWithoutTokens() {
		this.server.fail(500, "The server had an error while processing your request.");

		assertThatThrownBy(() -> client().prompt().user(QUESTION).call().content())
			.isInstanceOf(RuntimeException.class);

		UsageRecord record = single().record();
		assertThat(record.outcome()).isEqualTo(CallOutcome.ERROR);
		assertThat(record.totalTokens()).isZero();
		assertThat(record.cost()).isEqualByComparingTo("0");
		assertThat(record.model()).as("the ChatClient carries the model's default options").isEqualTo("gpt-4o-mini");
		assertThat(this.ledger.report(1).global().total().failedCalls()).isEqualTo(1);
	}

	@Test
	void whenStreamIsCancelledThenRecordedWithPromptAndTextProducedSoFar() {
		// The provider sends "one ", "two ", "three " and stalls; Spring AI's OpenAI
		// stream holds back one chunk (to move usage onto the finish chunk), so it has
		// passed on the role chunk, "one " and "two ". The usage advisor holds no text:
		// the consumer takes the role chunk and "one " and cancels before "two " is
		// passed on, so what the consumer got is what is billed.
		this.server.stream(OpenAiCompletion.text("one ", "two ", "three ", "four").usage(40, 4).stallAfter(3));

		List<ChatClientResponse> received = client().prompt()
			.user(QUESTION)
			.stream()
			.chatClientResponse()
			.take(2)
			.collectList()
			.block(Duration.ofSeconds(10));

		await().atMost(Duration.ofSeconds(10)).until(() -> !this.recorded.isEmpty());
		UsageRecord record = single().record();
		assertThat(received).hasSize(2);
		assertThat(text(received)).isEqualTo("one ");
		assertThat(record.outcome()).isEqualTo(CallOutcome.CANCELLED);
		assertThat(record.estimated()).isTrue();
		assertThat(record.promptTokens())
			.isEqualTo(this.tokenCounter.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total());
		assertThat(record.completionTokens()).isEqualTo(this.tokenCounter.countText("one ", "gpt-4o-mini"));
	}

	@Test
	void whenStreamFailsMidwayThenErrorIsRecordedWithTextProducedSoFar() {
		this.server.stream(OpenAiCompletion.text("one ", "two ", "three ", "four").usage(40, 4).failAfter(3));
		List<String> received = new CopyOnWriteArrayList<>();

		Flux<String> content = client().prompt().user(QUESTION).stream().content().doOnNext(received::add);

		assertThatThrownBy(() -> content.collectList().block(Duration.ofSeconds(10)))
			.isInstanceOf(RuntimeException.class);
		UsageRecord record = single().record();
		assertThat(record.outcome()).isEqualTo(CallOutcome.ERROR);
		assertThat(record.estimated()).isTrue();
		assertThat(received).isNotEmpty();
		// On failure the advisor passes on the chunk it held, so the consumer got all it
		// saw.
		assertThat(record.completionTokens())
			.isEqualTo(this.tokenCounter.countText(String.join("", received), "gpt-4o-mini"));
	}

	@Test
	void whenConversationIdIsGivenThenItIsTheCallsConversationScope() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(10, 2));

		client().prompt().user(QUESTION).advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, "c-42")).call().content();

		assertThat(single().scope()).isEqualTo(new CallScope("anonymous", "anonymous", "c-42"));
	}

	@Test
	void whenCustomScopeResolverThenItDecidesWhoPays() {
		UsageAdvisor custom = UsageAdvisor.builder(this.recorder)
			.scopeResolver((request) -> CallScope.of("from-resolver", "principal-bob", null))
			.build();
		this.server.reply(OpenAiCompletion.text("Paris.").usage(10, 2));

		ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(custom)
			.build()
			.prompt()
			.user(QUESTION)
			.call()
			.content();

		assertThat(single().scope().user()).isEqualTo("principal-bob");
		assertThat(single().scope().tenant()).isEqualTo("from-resolver");
	}

	/**
	 * A model that streams the given chunks, for stream shapes OpenAI does not send.
	 */
	private static ChatModel streamingModel(Flux<ChatResponse> chunks) {
		return new ChatModel() {

			@Override
			public ChatResponse call(Prompt prompt) {
				throw new UnsupportedOperationException();
			}

			@Override
			public Flux<ChatResponse> stream(Prompt prompt) {
				return chunks;
			}

		};
	}

	private static List<ChatClientResponse> streamResponses(ChatClient client) {
		return client.prompt().user(QUESTION).stream().chatClientResponse().collectList().block(Duration.ofSeconds(10));
	}

	private ChatClient client() {
		return client(true);
	}

	private ChatClient client(boolean streamUsage) {
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server, streamUsage))
			.defaultAdvisors(this.advisor)
			.build();
	}

	private Recorded single() {
		assertThat(this.recorded).hasSize(1);
		return this.recorded.get(0);
	}

	private static String text(List<ChatClientResponse> responses) {
		StringBuilder text = new StringBuilder();
		responses.forEach((response) -> response.chatResponse()
			.getResults()
			.forEach((generation) -> text
				.append((generation.getOutput().getText() != null) ? generation.getOutput().getText() : "")));
		return text.toString();
	}

	private record Recorded(UsageRecord record, CallScope scope) {
	}

}
