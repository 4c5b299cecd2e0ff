package io.github.airesource.core.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.openai.OpenAiChatModel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Summarization of trimmed history end to end: the summary requests and the user's calls
 * go through the real OpenAI client to the loopback server, which tells them apart by the
 * model they ask for.
 */
class HistorySummarizationTests {

	private static final String SUMMARY_MODEL = "gpt-4.1-nano";

	private static final String SYSTEM = "You are a helpful travel assistant. Answer in two sentences.";

	private static final int MAX_TOKENS = 600;

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final OpenAiChatModel chatModel = OpenAiTestModels.chatModel(this.server);

	private final TokenCounter counter = TokenCounter.create();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	private final HistoryStatistics statistics = new HistoryStatistics();

	private final List<ChatModelHistorySummarizer> summarizers = new ArrayList<>();

	@AfterEach
	void stop() {
		this.summarizers.forEach(ChatModelHistorySummarizer::close);
		this.server.close();
	}

	@Test
	void whenTurnsAreDroppedThenTheConfiguredModelSummarizesThemOnceAndTheSummaryPrecedesTheKeptTurns() {
		HistoryAdvisor advisor = advisor(summarizer(Duration.ofSeconds(10)));
		ChatClient client = clientWithMemory(advisor);
		AtomicInteger summaries = new AtomicInteger();
		AtomicInteger answers = new AtomicInteger();
		this.server.answerEveryRequest((request) -> SUMMARY_MODEL.equals(request.path("model").asText())
				? OpenAiCompletion.text("SUMMARY " + summaries.incrementAndGet() + ": a trip to Lisbon, museums.")
					.model(SUMMARY_MODEL + "-2025-04-14")
					.usage(300, 20)
				: OpenAiCompletion.text(HistoryAdvisorTests.answer(answers.incrementAndGet())));

		int turn = 0;
		List<JsonNode> requests = List.of();
		while (this.statistics.cutsMoved() == 0) {
			requests = call(client, ++turn);
			assertThat(turn).isLessThan(40);
		}
		// The first cut: one summary request, to the configured model, then the call.
		assertThat(requests).hasSize(2);
		JsonNode summaryRequest = requests.get(0);
		assertThat(summaryRequest.path("model").asText()).isEqualTo(SUMMARY_MODEL);
		String firstSummarized = userContent(summaryRequest);
		assertThat(firstSummarized).contains(HistoryAdvisorTests.question(1)).contains("(none yet)");
		assertThat(firstSummarized).doesNotContain(HistoryAdvisorTests.question(turn));
		JsonNode chat = requests.get(1);
		assertThat(chat.path("model").asText()).isEqualTo("gpt-4o-mini");
		String summaryMessage = HistoryAdvisor.SUMMARY_HEADING + "\nSUMMARY 1: a trip to Lisbon, museums.";
		List<String> contents = WirePrompts.contents(chat);
		assertThat(contents.subList(0, 2)).containsExactly(SYSTEM, summaryMessage);
		assertThat(WirePrompts.roles(chat).subList(0, 3)).containsExactly("system", "system", "user");
		assertThat(WirePrompts.tokens(chat, this.counter)).isLessThanOrEqualTo(MAX_TOKENS);
		assertThat(this.recorded).filteredOn((record) -> record.purpose() == UsagePurpose.SUMMARY)
			.singleElement()
			.satisfies((record) -> {
				assertThat(record.ledgerKey()).isEqualTo("summary:" + SUMMARY_MODEL + "-2025-04-14");
				assertThat(record.promptTokens()).isEqualTo(300);
				assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			});

		// The next call keeps the cut: no new summary, the same summary message.
		requests = call(client, ++turn);
		assertThat(requests).singleElement()
			.satisfies((request) -> assertThat(WirePrompts.contents(request).subList(0, 2)).containsExactly(SYSTEM,
					summaryMessage));

		// The next cut summarizes the previous summary and only the newly dropped turns.
		while (this.statistics.cutsMoved() == 1) {
			requests = call(client, ++turn);
		}
		assertThat(requests).hasSize(2);
		String secondSummarized = userContent(requests.get(0));
		assertThat(secondSummarized).contains("SUMMARY 1: a trip to Lisbon, museums.")
			.doesNotContain(HistoryAdvisorTests.question(1) + "\n");
		assertThat(WirePrompts.contents(requests.get(1)).get(1))
			.isEqualTo(HistoryAdvisor.SUMMARY_HEADING + "\nSUMMARY 2: a trip to Lisbon, museums.");
		assertThat(summaries).hasValue(2);
		assertThat(this.statistics.summaries()).isEqualTo(2);
	}

	@Test
	void whenTheSummarizerFailsThenTheCallGoesOnTrimmedAndTheTurnsAreSummarizedWithTheNextCut() {
		HistoryAdvisor advisor = advisor(summarizer(Duration.ofSeconds(10)));
		ChatClient client = ChatClient.builder(this.chatModel).defaultAdvisors(advisor).build();
		this.server.fail(500, "summarizer down").reply(OpenAiCompletion.text("Fine."));

		String answer = callWithHistory(client, 12);

		assertThat(answer).isEqualTo("Fine.");
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo(SUMMARY_MODEL);
		JsonNode chat = this.server.takeRequest();
		assertThat(WirePrompts.tokens(chat, this.counter)).isLessThanOrEqualTo(MAX_TOKENS);
		assertThat(WirePrompts.contents(chat)).noneMatch((text) -> text.startsWith(HistoryAdvisor.SUMMARY_HEADING))
			.doesNotContain(HistoryAdvisorTests.question(1));
		assertThat(this.statistics.summaryFailures()).isEqualTo(1);
		assertThat(this.recorded).filteredOn((record) -> record.purpose() == UsagePurpose.SUMMARY)
			.singleElement()
			.satisfies((record) -> assertThat(record.outcome()).isEqualTo(CallOutcome.ERROR));

		this.server.reply(OpenAiCompletion.text("SUMMARY after the failure.").model(SUMMARY_MODEL))
			.reply(OpenAiCompletion.text("Fine again."));
		assertThat(callWithHistory(client, 20)).isEqualTo("Fine again.");
		String summarized = userContent(this.server.takeRequest());
		assertThat(summarized).contains(HistoryAdvisorTests.question(1) + "\n");
		assertThat(WirePrompts.contents(this.server.takeRequest()))
			.contains(HistoryAdvisor.SUMMARY_HEADING + "\nSUMMARY after the failure.");
	}

	@Test
	void whenTheSummarizerHangsThenTheCallGoesOnTrimmedAfterTheTimeout() {
		HistoryAdvisor advisor = advisor(summarizer(Duration.ofMillis(300)));
		ChatClient client = ChatClient.builder(this.chatModel).defaultAdvisors(advisor).build();
		this.server.replySlowly(OpenAiCompletion.text("too late").model(SUMMARY_MODEL), Duration.ofSeconds(30))
			.reply(OpenAiCompletion.text("Fine."));

		String answer = callWithHistory(client, 12);

		assertThat(answer).isEqualTo("Fine.");
		assertThat(this.statistics.summaryTimeouts()).isEqualTo(1);
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo(SUMMARY_MODEL);
		JsonNode chat = this.server.takeRequest();
		assertThat(WirePrompts.tokens(chat, this.counter)).isLessThanOrEqualTo(MAX_TOKENS);
		assertThat(WirePrompts.contents(chat)).noneMatch((text) -> text.startsWith(HistoryAdvisor.SUMMARY_HEADING));
	}

	@Test
	void whenTheCallNamesNoConversationThenTheHistoryIsTrimmedButNotSummarized() {
		HistoryAdvisor advisor = advisor(summarizer(Duration.ofSeconds(10)));
		ChatClient client = ChatClient.builder(this.chatModel).defaultAdvisors(advisor).build();
		this.server.reply(OpenAiCompletion.text("Fine."));

		client.prompt().messages(history(12)).user(HistoryAdvisorTests.question(12)).call().content();

		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(WirePrompts.tokens(this.server.takeRequest(), this.counter)).isLessThanOrEqualTo(MAX_TOKENS);
		assertThat(this.statistics.trimmedCalls()).isEqualTo(1);
	}

	private ChatModelHistorySummarizer summarizer(Duration timeout) {
		ChatModelHistorySummarizer summarizer = ChatModelHistorySummarizer.builder(() -> this.chatModel)
			.model(SUMMARY_MODEL)
			.timeout(timeout)
			.recorder(this.recorder)
			.statistics(this.statistics)
			.build();
		this.summarizers.add(summarizer);
		return summarizer;
	}

	private HistoryAdvisor advisor(HistorySummarizer summarizer) {
		return HistoryAdvisor.builder(MAX_TOKENS)
			.tokenCounter(this.counter)
			.summarizer(summarizer)
			.statistics(this.statistics)
			.build();
	}

	private ChatClient clientWithMemory(HistoryAdvisor advisor) {
		ChatMemory memory = MessageWindowChatMemory.builder()
			.chatMemoryRepository(new InMemoryChatMemoryRepository())
			.maxMessages(1000)
			.build();
		return ChatClient.builder(this.chatModel)
			.defaultSystem(SYSTEM)
			.defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build(), advisor)
			.build();
	}

	private List<JsonNode> call(ChatClient client, int turn) {
		int before = this.server.requestCount();
		client.prompt()
			.user(HistoryAdvisorTests.question(turn))
			.advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, "c-summary"))
			.call()
			.content();
		List<JsonNode> requests = new ArrayList<>();
		for (int i = before; i < this.server.requestCount(); i++) {
			requests.add(this.server.takeRequest());
		}
		return requests;
	}

	private String callWithHistory(ChatClient client, int turn) {
		return client.prompt()
			.messages(history(turn))
			.user(HistoryAdvisorTests.question(turn))
			.advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, "c-fail"))
			.call()
			.content();
	}

	static List<Message> history(int turn) {
		List<Message> history = new ArrayList<>();
		history.add(new SystemMessage(SYSTEM));
		for (int i = 1; i < turn; i++) {
			history.add(new UserMessage(HistoryAdvisorTests.question(i)));
			history.add(new AssistantMessage(HistoryAdvisorTests.answer(i)));
		}
		return history;
	}

	private static String userContent(JsonNode request) {
		List<String> roles = WirePrompts.roles(request);
		return WirePrompts.contents(request).get(roles.lastIndexOf("user"));
	}

}
