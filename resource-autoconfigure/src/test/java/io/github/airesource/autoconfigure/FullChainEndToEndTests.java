package io.github.airesource.autoconfigure;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CacheResult;
import io.github.airesource.core.cache.semantic.SemanticCacheAdvisor;
import io.github.airesource.core.history.HistoryStatistics;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.MiniLmEmbeddingModel;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestChatMemory;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole chain as the starter wires it, every feature on (memory guard, history
 * trimming, routing, prompt guard with an output cap and a timeout, exact and semantic
 * caches, budgets, rate limits, bulkhead, usage), through the real OpenAI client over
 * HTTP to a loopback server: a question never seen before is tokenized once per call, and
 * the rest of the prompt is looked up in the counter's memo once per call, however many
 * advisors need the count (issue 11).
 *
 * <p>
 * The application's {@link TokenCounter} bean keeps its memo's statistics: every text the
 * memo has not seen is a miss, and only a miss is tokenized; every message of a prompt
 * looked up again is a hit.
 */
class FullChainEndToEndTests {

	private static final String ANSWER = "Your order ships today.";

	private static final String SYSTEM = "You answer questions about orders in one short sentence.";

	private final OpenAiWireServer server = OpenAiWireServer.start()
		.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(900, 6));

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withBean(TokenCounter.class, () -> TokenCounter.builder().recordMemoStats(true).build())
		.withBean(EmbeddingModel.class, MiniLmEmbeddingModel::new)
		.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.history.max-tokens=2000",
				"ai.resource.routing.enabled=true", "ai.resource.routing.rules[0].min-prompt-tokens=100",
				"ai.resource.routing.rules[0].tools=false", "ai.resource.routing.rules[0].model=gpt-4o",
				"ai.resource.guard.max-prompt-tokens=100000", "ai.resource.guard.max-output-tokens=512",
				"ai.resource.guard.timeout=30s", "ai.resource.cache.response.enabled=true",
				"ai.resource.cache.semantic.enabled=true", "ai.resource.budget.enabled=true",
				"ai.resource.budget.limits.per-user-daily.scope=user",
				"ai.resource.budget.limits.per-user-daily.max-tokens=100000000",
				"ai.resource.budget.limits.global-daily.scope=global",
				"ai.resource.budget.limits.global-daily.max-cost=1000", "ai.resource.rate-limit.enabled=true",
				"ai.resource.rate-limit.limits.user-rpm.scope=user",
				"ai.resource.rate-limit.limits.user-rpm.requests=100000",
				"ai.resource.rate-limit.limits.global-tpm.scope=global",
				"ai.resource.rate-limit.limits.global-tpm.tokens=1000000000", "ai.resource.concurrency.enabled=true");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAConversationOfTwentyMessagesGetsANewQuestionThenOnlyTheQuestionIsTokenizedAndEachMessageIsLookedUpOnce() {
		this.runner.run((context) -> {
			ChatClient client = TestChatMemory.addTo(context.getBean(ChatClient.Builder.class)).build();
			TokenCounter counter = context.getBean(TokenCounter.class);
			// Ten turns fill Spring AI's window memory: 20 messages from then on.
			for (int i = 0; i < 10; i++) {
				ask(client, question(i));
				this.server.takeRequest();
			}
			long trimmedBefore = context.getBean(HistoryStatistics.class).trimmedCalls();

			for (int i = 10; i < 15; i++) {
				CacheStats before = counter.memoStats();
				ChatClientResponse response = ask(client, question(i));
				CacheStats call = counter.memoStats().minus(before);

				JsonNode sent = this.server.takeRequest();
				assertThat(call.missCount()).as("texts tokenized in call %d", i).isEqualTo(1);
				// The system prompt and the 20 remembered messages, each once.
				assertThat(call.hitCount()).as("messages looked up in call %d", i).isEqualTo(21);
				assertThat(sent.path("messages").size()).isLessThan(22);
				assertThat(sent.path("model").asText()).isEqualTo("gpt-4o");
				assertThat(sent.path("max_tokens").asInt()).isEqualTo(512);
				assertThat(response.context()).containsEntry(ResourceContextKeys.CACHE, CacheResult.MISS.value())
					.containsKey(ResourceContextKeys.RATE_LIMIT);
				assertThat(((UsageRecord) response.context().get(ResourceContextKeys.USAGE)).estimated()).isFalse();
			}
			assertThat(context.getBean(HistoryStatistics.class).trimmedCalls()).isEqualTo(trimmedBefore + 5);
		});
	}

	@Test
	void whenASingleTurnQuestionMissesBothCachesThenItIsTokenizedOnceAndTheSystemPromptIsLookedUpOnce() {
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			TokenCounter counter = context.getBean(TokenCounter.class);
			ask(client, question(0));

			for (int i = 1; i < 4; i++) {
				CacheStats before = counter.memoStats();
				ChatClientResponse response = ask(client, question(i));
				CacheStats call = counter.memoStats().minus(before);

				assertThat(call.missCount()).as("texts tokenized in call %d", i).isEqualTo(1);
				assertThat(call.hitCount()).as("messages looked up in call %d", i).isEqualTo(1);
				assertThat(response.context()).containsEntry(ResourceContextKeys.CACHE, CacheResult.MISS.value());
			}
			assertThat(semanticLookups(context)).isEqualTo(4);
		});
	}

	private static long semanticLookups(ApplicationContext context) {
		return context.getBean(SemanticCacheAdvisor.class).store().statistics().snapshot().misses();
	}

	private static ChatClientResponse ask(ChatClient client, String question) {
		return client.prompt()
			.options(ChatOptions.builder().temperature(0.0).build())
			.system(SYSTEM)
			.user(question)
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice").param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.chatClientResponse();
	}

	/**
	 * Return a question of about 2 KB that no other call asks.
	 */
	private static String question(int number) {
		StringBuilder question = new StringBuilder("Question " + number + ": ");
		List<String> words = List.of("where", "is", "order", "number", String.valueOf(number * 7919), "which", "I",
				"placed", "on", "monday", "and", "paid", "with", "my", "card", "please", "check", "tracking");
		int i = number;
		while (question.length() < 2000) {
			question.append(words.get(i++ % words.size())).append(' ');
		}
		return question.toString();
	}

}
