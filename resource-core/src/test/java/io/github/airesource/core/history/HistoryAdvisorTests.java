package io.github.airesource.core.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.tokens.PromptTokens;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.core.ResourceContextKeys;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * History trimming end to end: a real {@link ChatClient} over the real OpenAI client,
 * talking HTTP to a loopback server that speaks the OpenAI wire format, with assertions
 * on the requests it captured.
 */
class HistoryAdvisorTests {

	private static final String MODEL = "gpt-4o-mini";

	private static final String SYSTEM = "You are a helpful travel assistant. Answer in two sentences.";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final TokenCounter counter = TokenCounter.create();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenToolCallsSitInTheMiddleThenSystemMessagesAndToolPairsStayIntactAndTheWirePromptIsUnderTheLimit() {
		List<Message> history = conversationWithTools();
		String latest = "And what should I pack for Lisbon then?";
		int full = this.counter.countPrompt(new Prompt(with(history, new UserMessage(latest))), MODEL).total();
		int maxTokens = full * 55 / 100;
		HistoryAdvisor advisor = HistoryAdvisor.builder(maxTokens).tokenCounter(this.counter).build();
		this.server.reply(OpenAiCompletion.text("Light clothes and an umbrella."));

		String answer = client(advisor).prompt()
			.messages(history)
			.user(latest)
			.advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, "c-tools"))
			.call()
			.content();

		assertThat(answer).isEqualTo("Light clothes and an umbrella.");
		JsonNode sent = this.server.takeRequest();
		assertThat(WirePrompts.tokens(sent, this.counter)).isLessThanOrEqualTo(maxTokens);
		assertThat(WirePrompts.toolOrderViolation(sent)).isNull();
		List<String> contents = WirePrompts.contents(sent);
		assertThat(contents).contains(SYSTEM, "Keep prices in euros.");
		assertThat(contents.get(contents.size() - 1)).isEqualTo(latest);
		// Something was dropped, from the oldest turns, and no tool message lost its
		// call.
		assertThat(contents).doesNotContain("What's the weather in Porto?");
		assertThat(WirePrompts.roles(sent)).hasSizeLessThan(history.size() + 1);
		assertThat(advisor.statistics().trimmedCalls()).isEqualTo(1);
		assertThat(advisor.statistics().trimmedMessages()).isPositive();
	}

	@Test
	void whenEveryLimitDropsADifferentShareThenEveryWirePromptStaysValidForOpenAi() {
		List<Message> history = conversationWithTools();
		String latest = "Summarize my options.";
		int full = this.counter.countPrompt(new Prompt(with(history, new UserMessage(latest))), MODEL).total();
		int fixed = this.counter
			.countPrompt(new Prompt(List.of(history.get(0), history.get(5), new UserMessage(latest))), MODEL)
			.total();
		for (int maxTokens = fixed; maxTokens <= full; maxTokens += 7) {
			HistoryAdvisor advisor = HistoryAdvisor.builder(maxTokens).tokenCounter(this.counter).build();
			this.server.reply(OpenAiCompletion.text("ok"));
			client(advisor).prompt().messages(history).user(latest).call().content();
			JsonNode sent = this.server.takeRequest();
			assertThat(WirePrompts.toolOrderViolation(sent)).as("max-tokens %d", maxTokens).isNull();
			assertThat(WirePrompts.tokens(sent, this.counter)).as("max-tokens %d", maxTokens)
				.isLessThanOrEqualTo(maxTokens);
			assertThat(WirePrompts.contents(sent)).as("max-tokens %d", maxTokens).contains(SYSTEM, latest);
		}
	}

	@Test
	void whenTheSystemMessagesAndTheLatestUserMessageAloneAreOverTheLimitThenTheCallFailsBeforeTheModel() {
		HistoryAdvisor advisor = HistoryAdvisor.builder(20).tokenCounter(this.counter).recorder(this.recorder).build();

		assertThatThrownBy(() -> client(advisor).prompt()
			.messages(conversationWithTools())
			.user("Please plan a two-week trip through Portugal with trains and hotels.")
			.call()
			.content()).isInstanceOf(PromptTooLargeException.class)
			.hasMessageContaining("ai.resource.history.max-tokens")
			.satisfies((ex) -> assertThat(((PromptTooLargeException) ex).limitName())
				.isEqualTo(HistoryAdvisor.LIMIT_NAME));
		assertThat(this.server.requestCount()).isZero();
		assertThat(this.recorded).singleElement()
			.satisfies((record) -> assertThat(record.outcome()).isEqualTo(CallOutcome.REJECTED));
	}

	@Test
	void whenThePromptIsUnderTheLimitThenItIsSentUnchanged() {
		HistoryAdvisor advisor = HistoryAdvisor.builder(100_000).tokenCounter(this.counter).build();
		this.server.reply(OpenAiCompletion.text("ok"));

		client(advisor).prompt().messages(conversationWithTools()).user("Thanks!").call().content();

		// One more wire message than Spring AI messages: a tool message per parallel
		// call.
		assertThat(WirePrompts.roles(this.server.takeRequest())).hasSize(conversationWithTools().size() + 2);
		assertThat(advisor.statistics().trimmedCalls()).isZero();
	}

	@Test
	void whenMaxMessagesIsSetThenTheHistoryIsTrimmedByCountToo() {
		HistoryAdvisor advisor = HistoryAdvisor.builder(100_000)
			.maxMessages(6)
			.trimTo(0.5)
			.tokenCounter(this.counter)
			.build();
		this.server.reply(OpenAiCompletion.text("ok"));

		client(advisor).prompt().messages(conversationWithTools()).user("Thanks!").call().content();

		JsonNode sent = this.server.takeRequest();
		long nonSystem = WirePrompts.roles(sent).stream().filter((role) -> !"system".equals(role)).count();
		assertThat(nonSystem).isLessThanOrEqualTo(3);
		assertThat(WirePrompts.toolOrderViolation(sent)).isNull();
	}

	@Test
	void whenTrimmedThenTheAdvisorsAfterItReuseTheDerivedCountOfTheTrimmedPrompt() {
		List<Message> history = conversationWithTools();
		int full = this.counter.countPrompt(new Prompt(with(history, new UserMessage("Thanks!"))), MODEL).total();
		HistoryAdvisor advisor = HistoryAdvisor.builder(full / 2).tokenCounter(this.counter).build();
		List<Object> seen = new ArrayList<>();
		this.server.reply(OpenAiCompletion.text("ok"));
		ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(advisor, new ContextProbe(seen))
			.build();

		client.prompt().messages(history).user("Thanks!").call().content();

		assertThat(seen).singleElement().isInstanceOf(PromptTokens.class);
		PromptTokens derived = (PromptTokens) seen.get(0);
		JsonNode sent = this.server.takeRequest();
		assertThat(derived.total()).isEqualTo(WirePrompts.tokens(sent, this.counter));
	}

	@Test
	void whenAFortyTurnConversationGrowsThenTheWirePrefixChangesOnlyWhenTheLimitIsCrossed() {
		int maxTokens = 600;
		double trimTo = 0.7;
		HistoryAdvisor advisor = HistoryAdvisor.builder(maxTokens)
			.trimTo(trimTo)
			.tokenCounter(this.counter)
			.defaultModel(() -> MODEL)
			.build();
		int prefixChanges = converse(advisor, 1000, 40, maxTokens, HistoryAdvisorTests::question);

		int derived = derivedCuts(40, maxTokens, (int) Math.floor(maxTokens * trimTo));
		assertThat(derived).isBetween(3, 20);
		assertThat(prefixChanges).isEqualTo(derived);
		assertThat(advisor.statistics().cutsMoved()).isEqualTo(derived);
		assertThat(advisor.statistics().trimmedCalls()).isGreaterThan(40 - 10);
	}

	@Test
	void whenAWindowMemoryForgetsOldTurnsThenTheCutIsFoundAgainAndWrittenOnlyWhenItMoves() {
		int maxTokens = 400;
		AtomicInteger puts = new AtomicInteger();
		InMemoryHistoryStore kept = new InMemoryHistoryStore();
		HistoryStore counting = new HistoryStore() {

			@Override
			public HistoryCut get(HistoryKey key) {
				return kept.get(key);
			}

			@Override
			public void put(HistoryKey key, HistoryCut cut) {
				puts.incrementAndGet();
				kept.put(key, cut);
			}

			@Override
			public void remove(HistoryKey key) {
				kept.remove(key);
			}

		};
		HistoryAdvisor advisor = HistoryAdvisor.builder(maxTokens)
			.trimTo(0.7)
			.tokenCounter(this.counter)
			.store(counting)
			.defaultModel(() -> MODEL)
			.build();
		// Eight turns of about 75 tokens in the window, at most five fit the limit: the
		// window forgets turns before the cut on every call (never one the cut keeps),
		// and so the anchor's position changes on every call. Each question is asked
		// twice in a row, so that a cut's text occurs twice.
		int prefixChanges = converse(advisor, 16, 30, maxTokens, (turn) -> question((turn + 1) / 2));

		long moved = advisor.statistics().cutsMoved();
		assertThat(moved).isBetween(3L, 15L);
		// The store is written when the cut moves, not on every call the window slid.
		assertThat(puts.get()).isEqualTo((int) moved);
		// Between moves the wire prompt only grows at its end: the cut was found again.
		assertThat(prefixChanges).isEqualTo((int) moved);
	}

	/**
	 * Hold a conversation through the advisor, with Spring AI's window memory in front of
	 * it, and check every wire prompt against the limit.
	 * @return how often the wire prompt did not start with the previous one and its
	 * answer
	 */
	private int converse(HistoryAdvisor advisor, int memoryMessages, int turns, int maxTokens,
			IntFunction<String> questions) {
		ChatMemory memory = MessageWindowChatMemory.builder()
			.chatMemoryRepository(new InMemoryChatMemoryRepository())
			.maxMessages(memoryMessages)
			.build();
		ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultSystem(SYSTEM)
			.defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build(), advisor)
			.build();
		AtomicInteger answers = new AtomicInteger();
		this.server.answerEveryRequest((request) -> OpenAiCompletion.text(answer(answers.incrementAndGet())));
		List<String> previous = null;
		int prefixChanges = 0;
		for (int turn = 1; turn <= turns; turn++) {
			client.prompt()
				.user(questions.apply(turn))
				.advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, "c-" + turns))
				.call()
				.content();
			JsonNode sent = this.server.takeRequest();
			assertThat(WirePrompts.tokens(sent, this.counter)).as("turn %d", turn).isLessThanOrEqualTo(maxTokens);
			List<String> contents = WirePrompts.contents(sent);
			if (previous != null && !startsWith(contents, previous)) {
				prefixChanges++;
			}
			previous = new ArrayList<>(contents);
			previous.add(answer(turn));
		}
		return prefixChanges;
	}

	/**
	 * Derive the cuts from the token counts of the turns alone: a prompt is the system
	 * message, the kept turns and the new question; when it is over the limit, the oldest
	 * turns are dropped until it is at most the low-water mark, and that start is kept.
	 */
	private int derivedCuts(int turns, int maxTokens, int lowTokens) {
		int priming = this.counter.countPrompt(new Prompt(List.of(new UserMessage("x"))), MODEL).total()
				- tokens(new UserMessage("x"));
		int system = tokens(new SystemMessage(SYSTEM));
		int[] turnTokens = new int[turns + 1];
		for (int turn = 1; turn <= turns; turn++) {
			turnTokens[turn] = tokens(new UserMessage(question(turn))) + tokens(new AssistantMessage(answer(turn)));
		}
		int firstKept = 1;
		int cuts = 0;
		for (int call = 1; call <= turns; call++) {
			int fixed = system + priming + tokens(new UserMessage(question(call)));
			if (promptFrom(firstKept, call, fixed, turnTokens) > maxTokens) {
				cuts++;
				int from = firstKept;
				while (from < call && promptFrom(from, call, fixed, turnTokens) > lowTokens) {
					from++;
				}
				firstKept = from;
			}
		}
		return cuts;
	}

	private static int promptFrom(int firstKept, int call, int fixed, int[] turnTokens) {
		int tokens = fixed;
		for (int turn = firstKept; turn < call; turn++) {
			tokens += turnTokens[turn];
		}
		return tokens;
	}

	private int tokens(Message message) {
		return this.counter.countPrompt(new Prompt(List.of(message)), MODEL).messageTokens(0);
	}

	private static boolean startsWith(List<String> contents, List<String> prefix) {
		return contents.size() >= prefix.size() && contents.subList(0, prefix.size()).equals(prefix);
	}

	static String question(int turn) {
		return "Question " + turn + ": which museum in Lisbon should I visit on day " + turn
				+ " of my trip, and how do I get there from the old town?";
	}

	static String answer(int turn) {
		return "Answer " + turn + ": visit the Gulbenkian Museum; take the metro's blue line from Baixa-Chiado "
				+ "to São Sebastião and walk five minutes through the park.";
	}

	/**
	 * Sits right after the history advisor and keeps the prompt count it finds in the
	 * request context.
	 */
	private record ContextProbe(List<Object> seen) implements CallAdvisor {

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			this.seen.add(request.context().get(ResourceContextKeys.PROMPT_TOKENS));
			return chain.nextCall(request);
		}

		@Override
		public String getName() {
			return "probe";
		}

		@Override
		public int getOrder() {
			return HistoryAdvisor.DEFAULT_ORDER + 1;
		}

	}

	private ChatClient client(HistoryAdvisor advisor) {
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server)).defaultAdvisors(advisor).build();
	}

	private static List<Message> with(List<Message> history, Message last) {
		List<Message> all = new ArrayList<>(history);
		all.add(last);
		return all;
	}

	/**
	 * A conversation with tool calls in the middle: system, a weather turn with a tool
	 * call, a second system message, a turn with two parallel tool calls, a plain turn.
	 */
	static List<Message> conversationWithTools() {
		return List.of(new SystemMessage(SYSTEM), new UserMessage("What's the weather in Porto?"),
				AssistantMessage.builder()
					.content("")
					.toolCalls(List
						.of(new AssistantMessage.ToolCall("call_1", "function", "weather", "{\"city\":\"Porto\"}")))
					.build(),
				ToolResponseMessage.builder()
					.responses(List.of(new ToolResponseMessage.ToolResponse("call_1", "weather",
							"{\"city\":\"Porto\",\"sky\":\"rain\",\"celsius\":14}")))
					.build(),
				new AssistantMessage("It is raining in Porto, 14 degrees."), new SystemMessage("Keep prices in euros."),
				new UserMessage("Compare train and bus from Porto to Lisbon."),
				AssistantMessage.builder()
					.content("")
					.toolCalls(List.of(
							new AssistantMessage.ToolCall("call_2", "function", "train",
									"{\"from\":\"Porto\",\"to\":\"Lisbon\"}"),
							new AssistantMessage.ToolCall("call_3", "function", "bus",
									"{\"from\":\"Porto\",\"to\":\"Lisbon\"}")))
					.build(),
				ToolResponseMessage.builder()
					.responses(List.of(
							new ToolResponseMessage.ToolResponse("call_2", "train",
									"{\"minutes\":170,\"price\":\"31 EUR\",\"departures\":\"hourly\"}"),
							new ToolResponseMessage.ToolResponse("call_3", "bus",
									"{\"minutes\":210,\"price\":\"18 EUR\",\"departures\":\"every two hours\"}")))
					.build(),
				new AssistantMessage("The train takes 2h50 for 31 EUR, the bus 3h30 for 18 EUR."),
				new UserMessage("Is Lisbon warmer?"), new AssistantMessage("Yes, usually by three or four degrees."));
	}

}
