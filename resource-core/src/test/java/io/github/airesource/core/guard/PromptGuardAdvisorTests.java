package io.github.airesource.core.guard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetStore;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.tokens.PromptTokens;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.ToolCallAdvisor;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.openai.OpenAiChatOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;

/**
 * The prompt guard end to end: a real {@link ChatClient} over the real OpenAI client,
 * talking HTTP to a loopback server that speaks the OpenAI wire format.
 */
class PromptGuardAdvisorTests {

	private static final String QUESTION = "What is the capital of France?";

	private static final String LONG_QUESTION = "Tell me everything about the history of Paris. ".repeat(40);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final TokenCounter tokenCounter = TokenCounter.create();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenThePromptIsOverTheLimitThenItIsRefusedWithoutAnyRequestOrReservation() {
		BudgetStore store = spy(new InMemoryBudgetStore(this.clock));
		BudgetLimit daily = BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(100_000L, null));
		BudgetAdvisor budget = BudgetAdvisor.builder(new Budgets(List.of(daily), store, null))
			.tokenCounter(this.tokenCounter)
			.recorder(this.recorder)
			.clock(this.clock)
			.build();
		ChatClient client = client(guard().maxPromptTokens(100), budget, usage());

		assertThatThrownBy(() -> ask(client, LONG_QUESTION, null)).isInstanceOfSatisfying(PromptTooLargeException.class,
				(ex) -> {
					assertThat(ex.limitName()).isEqualTo("max-prompt-tokens");
					assertThat(ex.scope()).isEqualTo(ScopeType.GLOBAL);
					assertThat(ex.retryAfter()).isEmpty();
					assertThat(ex.maxPromptTokens()).isEqualTo(100);
					assertThat(ex.promptTokens()).isGreaterThan(100);
					assertThat(ex.getMessage()).contains(String.valueOf(ex.promptTokens()))
						.contains("100")
						.contains("ai.resource.guard.max-prompt-tokens");
				});

		assertThat(this.server.requestCount()).isZero();
		verify(store, never()).reserve(anyString(), anyList(), any(Duration.class), anyBoolean());
		assertThat(store.usage(daily, "alice").reservedTokens()).isZero();
		assertThat(this.recorded).singleElement()
			.satisfies((record) -> assertThat(record.outcome()).isEqualTo(CallOutcome.REJECTED));
	}

	@Test
	void whenPromptsAreRefusedThenTheyAreCountedWithTheTimeOfTheLastForTheLimitsEndpoint() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		PromptGuardAdvisor guard = guard().maxPromptTokens(100).build();
		ChatClient client = client(guard);
		assertThat(guard.rejections()).containsExactly(Map.entry("max-prompt-tokens", 0L));
		assertThat(guard.lastRejection("max-prompt-tokens")).isNull();

		ask(client, QUESTION, null);
		assertThatThrownBy(() -> ask(client, LONG_QUESTION, null)).isInstanceOf(PromptTooLargeException.class);
		assertThatThrownBy(() -> ask(client, LONG_QUESTION, null)).isInstanceOf(PromptTooLargeException.class);

		assertThat(guard.rejections()).containsExactly(Map.entry("max-prompt-tokens", 2L));
		assertThat(guard.lastRejection("max-prompt-tokens")).isNotNull();
		assertThat(guard.lastRejection("no-such-limit")).isNull();
	}

	@Test
	void whenThePromptIsWithinTheLimitThenItGoesThroughWithItsCountLeftForTheAdvisorsAfter() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(14, 2));
		List<Boolean> reusable = new CopyOnWriteArrayList<>();
		CallAdvisor inner = new CallAdvisor() {
			@Override
			public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
				Object counted = request.context().get(ResourceContextKeys.PROMPT_TOKENS);
				reusable.add(counted instanceof PromptTokens tokens && tokens.isFor(request.prompt().getInstructions(),
						PromptGuardAdvisorTests.this.tokenCounter.encodingFor("gpt-4o")));
				return chain.nextCall(request);
			}

			@Override
			public String getName() {
				return "inspect";
			}

			@Override
			public int getOrder() {
				return ResourceAdvisorOrder.BUDGET;
			}
		};
		// The output cap makes a new request: its messages, and so the count, are kept.
		ChatClient client = client(guard().maxPromptTokens(100).maxOutputTokens(300), inner);

		assertThat(ask(client, QUESTION, OpenAiChatOptions.builder().model("gpt-4o").build())).isEqualTo("Paris.");
		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(reusable).containsExactly(true);
	}

	@Test
	void whenARequestAsksForMoreThanTheCapThenMaxTokensOnTheWireIsTheCap() {
		this.server.reply(OpenAiCompletion.text("Paris."));
		ChatClient client = client(guard().maxOutputTokens(300));

		ask(client, QUESTION, OpenAiChatOptions.builder().model("gpt-4o").maxTokens(4000).build());

		JsonNode request = this.server.takeRequest();
		assertThat(request.path("max_tokens").asInt()).isEqualTo(300);
		assertThat(request.has("max_completion_tokens")).isFalse();
	}

	@Test
	void whenARequestAsksForNoLimitThenItGetsTheCap() {
		this.server.reply(OpenAiCompletion.text("Paris."));

		ask(client(guard().maxOutputTokens(300)), QUESTION, null);

		assertThat(this.server.takeRequest().path("max_tokens").asInt()).isEqualTo(300);
	}

	@Test
	void whenARequestAsksForLessThanTheCapThenItKeepsItsOwnLimit() {
		this.server.reply(OpenAiCompletion.text("Paris."));

		ask(client(guard().maxOutputTokens(300)), QUESTION, OpenAiChatOptions.builder().maxTokens(50).build());

		assertThat(this.server.takeRequest().path("max_tokens").asInt()).isEqualTo(50);
	}

	@Test
	void whenTheModelIsAReasoningModelThenTheCapGoesToMaxCompletionTokensAndMaxTokensIsAbsent() {
		this.server.reply(OpenAiCompletion.text("Paris.").model("o3-2025-04-16"));
		this.server.reply(OpenAiCompletion.text("Paris.").model("gpt-5-mini-2025-08-07"));
		ChatClient client = client(guard().maxOutputTokens(300));

		ask(client, QUESTION, OpenAiChatOptions.builder().model("o3").build());
		ask(client, QUESTION, OpenAiChatOptions.builder().model("gpt-5-mini").maxTokens(4000).build());

		for (int i = 0; i < 2; i++) {
			JsonNode request = this.server.takeRequest();
			assertThat(request.path("max_completion_tokens").asInt()).isEqualTo(300);
			assertThat(request.has("max_tokens")).as("max_tokens beside max_completion_tokens").isFalse();
		}
	}

	@Test
	void whenTheRequestAlreadyUsesMaxCompletionTokensThenThatIsClamped() {
		this.server.reply(OpenAiCompletion.text("Paris."));

		ask(client(guard().maxOutputTokens(300)), QUESTION,
				OpenAiChatOptions.builder().model("gpt-4o").maxCompletionTokens(5000).build());

		JsonNode request = this.server.takeRequest();
		assertThat(request.path("max_completion_tokens").asInt()).isEqualTo(300);
		assertThat(request.has("max_tokens")).isFalse();
	}

	@Test
	void whenTheOutputIsCappedThenTheBudgetReservesForTheCapNotForWhatWasAsked() {
		InMemoryBudgetStore store = new InMemoryBudgetStore(this.clock);
		BudgetLimit small = BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(1_000L, null));
		BudgetAdvisor budget = BudgetAdvisor.builder(new Budgets(List.of(small), store, null))
			.tokenCounter(this.tokenCounter)
			.clock(this.clock)
			.build();
		OpenAiChatOptions asksForMuch = OpenAiChatOptions.builder().model("gpt-4o").maxTokens(4000).build();
		assertThatThrownBy(() -> ask(client(budget), QUESTION, asksForMuch))
			.isInstanceOf(BudgetExceededException.class);
		this.server.reply(OpenAiCompletion.text("Paris.").usage(14, 2));

		ask(client(guard().maxOutputTokens(300), budget), QUESTION, asksForMuch);

		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(store.usage(small, "alice").usedTokens()).isEqualTo(16);
	}

	@Test
	void whenAToolCallAdvisorLoopsThenTheCallEndsAfterExactlyTheAllowedToolRounds() {
		AtomicInteger toolCalls = new AtomicInteger();
		this.server
			.answerEveryRequest(OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}"));
		ChatClient client = client(guard().maxToolIterations(3), ToolCallAdvisor.builder().build());

		assertThatThrownBy(() -> client.prompt()
			.user("What is the weather in Paris?")
			.toolCallbacks(TestTools.weather(toolCalls))
			.call()
			.content()).isInstanceOfSatisfying(ToolIterationLimitException.class, (ex) -> {
				assertThat(ex.maxIterations()).isEqualTo(3);
				assertThat(ex.getMessage()).contains("ai.resource.guard.max-tool-iterations");
			});

		assertThat(toolCalls).hasValue(3);
		assertThat(this.server.requestCount()).isEqualTo(4);
	}

	@Test
	void whenAToolCallAdvisorStreamLoopsThenTheStreamFailsAfterExactlyTheAllowedToolRounds() {
		AtomicInteger toolCalls = new AtomicInteger();
		this.server
			.answerEveryRequest(OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}"));
		ChatClient client = client(guard().maxToolIterations(2), ToolCallAdvisor.builder().build());

		assertThatThrownBy(() -> client.prompt()
			.user("What is the weather in Paris?")
			.toolCallbacks(TestTools.weather(toolCalls))
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(20))).isInstanceOf(ToolIterationLimitException.class);

		assertThat(toolCalls).hasValue(2);
	}

	@Test
	void whenTheToolLoopEndsWithinTheLimitThenTheAnswerComesThrough() {
		AtomicInteger toolCalls = new AtomicInteger();
		this.server.reply(OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}"));
		this.server.reply(OpenAiCompletion.toolCall("call_2", "get_current_weather", "{\"location\":\"Lyon\"}"));
		this.server.reply(OpenAiCompletion.text("21 degrees in both."));
		ChatClient client = client(guard().maxToolIterations(2), ToolCallAdvisor.builder().build());

		String answer = client.prompt()
			.user("What is the weather in Paris and Lyon?")
			.toolCallbacks(TestTools.weather(toolCalls))
			.call()
			.content();

		assertThat(answer).isEqualTo("21 degrees in both.");
		assertThat(toolCalls).hasValue(2);
	}

	private PromptGuardAdvisor.Builder guard() {
		return PromptGuardAdvisor.builder()
			.tokenCounter(this.tokenCounter)
			.recorder(this.recorder)
			.defaultModel(() -> "gpt-4o-mini");
	}

	private UsageAdvisor usage() {
		return UsageAdvisor.builder(this.recorder).tokenCounter(this.tokenCounter).build();
	}

	private ChatClient client(PromptGuardAdvisor.Builder guard, Advisor... others) {
		return client(with(guard.build(), others));
	}

	private ChatClient client(Advisor... advisors) {
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server)).defaultAdvisors(advisors).build();
	}

	private static Advisor[] with(Advisor first, Advisor... others) {
		Advisor[] all = new Advisor[others.length + 1];
		all[0] = first;
		System.arraycopy(others, 0, all, 1, others.length);
		return all;
	}

	private static String ask(ChatClient client, String question, OpenAiChatOptions options) {
		var prompt = client.prompt().user(question).advisors((a) -> a.param(ResourceContextKeys.USER, "alice"));
		if (options != null) {
			prompt = prompt.options(options);
		}
		return prompt.call().content();
	}

}
