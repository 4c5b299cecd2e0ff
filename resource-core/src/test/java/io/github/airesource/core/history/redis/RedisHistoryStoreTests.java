package io.github.airesource.core.history.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.history.ChatModelHistorySummarizer;
import io.github.airesource.core.history.HistoryAdvisor;
import io.github.airesource.core.history.HistoryCut;
import io.github.airesource.core.history.HistoryKey;
import io.github.airesource.core.history.HistoryStore;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The history state in a real Redis, shared by two instances.
 */
class RedisHistoryStoreTests {

	private final String prefix = RedisTestSupport.uniquePrefix();

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private final OpenAiWireServer server = OpenAiWireServer.start();

	@AfterEach
	void cleanUp() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		RedisTestSupport.deleteKeys(this.prefix);
		this.factories.forEach(LettuceConnectionFactory::destroy);
		this.server.close();
	}

	@Test
	void whenAStateIsWrittenThenItIsReadBackWithATimeToLiveAndRemoved() {
		RedisHistoryStore store = store();
		HistoryKey key = new HistoryKey("acme", "c:1 {x}");
		HistoryCut cut = new HistoryCut(-42L, 7, "The user plans\na trip. 1 2 3", 2);

		store.put(key, cut);

		assertThat(store.get(key)).isEqualTo(cut);
		assertThat(store.get(new HistoryKey("other", "c:1 {x}"))).isNull();
		assertThat(RedisTestSupport.keysWithTtl(this.prefix)).singleElement()
			.satisfies((entry) -> assertThat(entry.ttlMillis()).isPositive());
		store.put(key, new HistoryCut(5L, 3, null, 0));
		assertThat(store.get(key)).isEqualTo(new HistoryCut(5L, 3, null, 0));
		store.remove(key);
		assertThat(store.get(key)).isNull();
	}

	@Test
	void whenACutIsWrittenThenTheWriteDoesNotWaitForRedisAndTheStoresNextReadSeesIt() throws Exception {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			RedisHistoryStore store = new RedisHistoryStore(through(proxy, Duration.ofSeconds(30)));
			HistoryKey key = new HistoryKey("acme", "c-1");
			assertThat(store.get(key)).isNull();
			HistoryCut cut = new HistoryCut(7L, 4, "SUMMARY", 1);
			proxy.holdReplies();

			// Returns while Redis's answer is held back: a write that waited would time
			// out here after 30 s and throw.
			store.put(key, cut);

			assertThat(store.health().failures()).isZero();
			proxy.releaseReplies();
			assertThat(store.get(key)).as("read on the same connection, after the write").isEqualTo(cut);
			assertThat(store.health().failures()).isZero();
		}
	}

	@Test
	void whenTwoInstancesShareRedisThenTheSecondKeepsTheFirstOnesCutAndSummaryWithoutSummarizingAgain() {
		OpenAiChatModel chatModel = OpenAiTestModels.chatModel(this.server);
		TokenCounter counter = TokenCounter.create();
		RedisHistoryStore firstStore = store();
		ChatClient first = ChatClient.builder(chatModel)
			.defaultAdvisors(advisor(chatModel, counter, firstStore))
			.build();
		ChatClient second = client(chatModel, counter);
		this.server.reply(OpenAiCompletion.text("SUMMARY: museums in Lisbon.").model("gpt-4.1-nano"))
			.reply(OpenAiCompletion.text("First."))
			.reply(OpenAiCompletion.text("Second."));

		call(first, 12);
		JsonNode summaryRequest = this.server.takeRequest();
		JsonNode firstChat = this.server.takeRequest();
		// The first instance's write is not awaited; a read on its connection comes after
		// it, as the conversation's next turn comes after this one's answer.
		assertThat(firstStore.get(new HistoryKey(CallScope.ANONYMOUS, "shared"))).isNotNull();
		call(second, 13);
		JsonNode secondChat = this.server.takeRequest();

		assertThat(summaryRequest.path("model").asText()).isEqualTo("gpt-4.1-nano");
		assertThat(this.server.requestCount()).isEqualTo(3);
		List<String> firstMessages = contents(firstChat);
		List<String> secondMessages = contents(secondChat);
		assertThat(firstMessages.get(1)).isEqualTo(HistoryAdvisor.SUMMARY_HEADING + "\nSUMMARY: museums in Lisbon.");
		// The second instance sends the first one's prompt as its prefix: same cut, same
		// summary.
		assertThat(secondMessages.subList(0, firstMessages.size() - 1))
			.isEqualTo(firstMessages.subList(0, firstMessages.size() - 1));
	}

	@Test
	void whenRedisIsDownThenTheInstanceKeepsTheCutAndSummaryItMadeInsteadOfSummarizingEveryCall() {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			OpenAiChatModel chatModel = OpenAiTestModels.chatModel(this.server);
			HistoryAdvisor advisor = advisor(chatModel, TokenCounter.create(),
					new RedisHistoryStore(through(proxy, Duration.ofMillis(500))));
			ChatClient client = ChatClient.builder(chatModel).defaultAdvisors(advisor).build();
			AtomicInteger summaries = new AtomicInteger();
			this.server.answerEveryRequest((request) -> "gpt-4.1-nano".equals(request.path("model").asText())
					? OpenAiCompletion.text("SUMMARY " + summaries.incrementAndGet() + ": museums in Lisbon.")
					: OpenAiCompletion.text("Answer."));

			call(client, 12);
			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1-nano");
			List<String> before = contents(this.server.takeRequest());
			proxy.cut();
			call(client, 13);
			List<String> during = contents(this.server.takeRequest());

			assertThat(advisor.statistics().storeFailures()).isPositive();
			// No summary asked for again: the cut made before the outage still fits.
			assertThat(summaries.get()).isOne();
			assertThat(this.server.requestCount()).isEqualTo(3);
			assertThat(during.get(1)).isEqualTo(HistoryAdvisor.SUMMARY_HEADING + "\nSUMMARY 1: museums in Lisbon.");
			assertThat(during.subList(0, before.size() - 1)).isEqualTo(before.subList(0, before.size() - 1));
		}
	}

	private ChatClient client(OpenAiChatModel chatModel, TokenCounter counter) {
		return ChatClient.builder(chatModel).defaultAdvisors(advisor(chatModel, counter, store())).build();
	}

	private HistoryAdvisor advisor(OpenAiChatModel chatModel, TokenCounter counter, HistoryStore store) {
		ChatModelHistorySummarizer summarizer = ChatModelHistorySummarizer.builder(() -> chatModel)
			.model("gpt-4.1-nano")
			.timeout(Duration.ofSeconds(10))
			.build();
		this.closeables.add(summarizer);
		return HistoryAdvisor.builder(600).tokenCounter(counter).store(store).summarizer(summarizer).build();
	}

	/**
	 * Return Redis access through the proxy, which can cut Redis off or hold its replies.
	 */
	private ResourceRedis through(TcpProxy proxy, Duration timeout) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", proxy.port()));
		factory.afterPropertiesSet();
		factory.start();
		this.factories.add(factory);
		ResourceRedis redis = new ResourceRedis(factory, this.prefix, timeout);
		this.closeables.add(redis);
		return redis;
	}

	private RedisHistoryStore store() {
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
		this.factories.add(factory);
		ResourceRedis redis = new ResourceRedis(factory, this.prefix, Duration.ofSeconds(10));
		this.closeables.add(redis);
		return new RedisHistoryStore(redis);
	}

	private static void call(ChatClient client, int turn) {
		List<Message> history = new ArrayList<>();
		history.add(new SystemMessage("You are a travel assistant."));
		for (int i = 1; i < turn; i++) {
			history.add(new UserMessage("Question " + i + ": which museum in Lisbon should I visit on day " + i
					+ " of my trip, and how do I get there from the old town?"));
			history.add(new AssistantMessage("Answer " + i + ": visit the Gulbenkian Museum; take the metro's "
					+ "blue line from Baixa-Chiado to São Sebastião and walk five minutes through the park."));
		}
		client.prompt()
			.messages(history)
			.user("Question " + turn + ": and after that?")
			.advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, "shared"))
			.call()
			.content();
	}

	private static List<String> contents(JsonNode request) {
		List<String> contents = new ArrayList<>();
		request.path("messages").forEach((message) -> contents.add(message.path("content").asText("")));
		return contents;
	}

}
