package io.github.airesource.core.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.ModelPrice;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.redis.FailureMode;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.core.scope.ScopeType;
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
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The budget advisor end to end: a real {@link ChatClient} with the budget and usage
 * advisors over the real OpenAI client, talking HTTP to a loopback server that speaks the
 * OpenAI wire format.
 */
class BudgetAdvisorTests {

	private static final String QUESTION = "What is the capital of France?";

	private BudgetAdvisor lastAdvisor;

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryBudgetStore store = new InMemoryBudgetStore(this.clock);

	private final TokenCounter tokenCounter = TokenCounter.create();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenTheCallUsesLessThanReservedThenTheDifferenceIsRefunded() {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 10_000);
		this.server.reply(OpenAiCompletion.text("Paris.").usage(60, 40));

		ask(client(daily), "alice", OpenAiChatOptions.builder().maxTokens(4000).build());

		BudgetUsage usage = this.store.usage(daily, "alice");
		assertThat(usage.usedTokens()).isEqualTo(100);
		assertThat(usage.reservedTokens()).isZero();
	}

	@Test
	void whenNoUsageAdvisorRecordsTheCallThenItSettlesFromTheProvidersUsage() {
		BudgetLimit daily = BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(10_000L, new BigDecimal("1.00")));
		this.server
			.reply(OpenAiCompletion.text("Paris.").model("gpt-4o-2024-08-06").usage(1200, 300).cachedTokens(1000));
		BudgetAdvisor budget = BudgetAdvisor.builder(budgets(daily))
			.tokenCounter(this.tokenCounter)
			.clock(this.clock)
			.defaultModel(() -> "gpt-4o")
			.build();
		ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server)).defaultAdvisors(budget).build();

		ask(client, "alice", OpenAiChatOptions.builder().model("gpt-4o").maxTokens(4000).build());

		BudgetUsage usage = this.store.usage(daily, "alice");
		assertThat(usage.usedTokens()).isEqualTo(1500);
		// gpt-4o: 200 uncached * 2.50 + 1000 cached * 1.25 + 300 * 10.00 per 1M
		assertThat(usage.usedCostNanos()).isEqualTo(4_750_000);
		assertThat(usage.reservedTokens()).isZero();
	}

	@Test
	void whenTheProviderNamesAModelWithoutAPriceThenTheCostIsChargedAtThePriceOfTheModelTheCallWasAdmittedFor() {
		BudgetLimit daily = BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(10_000L, new BigDecimal("1.00")));
		this.server.reply(OpenAiCompletion.text("Paris.").model("acme-gateway-deployment-7").usage(1200, 300))
			.reply(OpenAiCompletion.text("Paris.").model("acme-gateway-deployment-7").usage(1200, 300));
		BudgetAdvisor budgetOnly = BudgetAdvisor.builder(budgets(daily))
			.tokenCounter(this.tokenCounter)
			.clock(this.clock)
			.build();

		// Settled from the usage advisor's record, whose cost is unknown...
		ask(client(daily), "alice", OpenAiChatOptions.builder().model("gpt-4o").maxTokens(4000).build());
		// ...and from the provider's usage, without a usage advisor.
		ask(ChatClient.builder(OpenAiTestModels.chatModel(this.server)).defaultAdvisors(budgetOnly).build(), "bob",
				OpenAiChatOptions.builder().model("gpt-4o").maxTokens(4000).build());

		assertThat(this.recorded).singleElement().satisfies((record) -> assertThat(record.cost()).isNull());
		for (String user : List.of("alice", "bob")) {
			BudgetUsage usage = this.store.usage(daily, user);
			assertThat(usage.usedTokens()).isEqualTo(1500);
			// gpt-4o: 1200 * 2.50 + 300 * 10.00 per 1M
			assertThat(usage.usedCostNanos()).as(user).isEqualTo(6_000_000);
			assertThat(usage.reservedCostNanos()).isZero();
		}
	}

	@Test
	void whenTheCallUsesMoreThanReservedThenTheOverrunIsCharged() {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 10_000);
		this.server.reply(OpenAiCompletion.text("A long answer.").usage(60, 900));

		ask(client(daily), "alice", OpenAiChatOptions.builder().maxTokens(10).build());

		assertThat(this.store.usage(daily, "alice").usedTokens()).isEqualTo(960);
	}

	@Test
	void whenTheProviderFailsBeforeAnyTokenThenTheReservationIsRefundedToZero() {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 10_000);
		this.server.fail(500, "The server had an error");

		assertThatThrownBy(() -> ask(client(daily), "alice", null)).isInstanceOf(RuntimeException.class);

		BudgetUsage usage = this.store.usage(daily, "alice");
		assertThat(usage.usedTokens()).isZero();
		assertThat(usage.reservedTokens()).isZero();
	}

	@Test
	void whenTheCallCannotFitThenItIsRefusedBeforeAnyModelCall() {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 500);

		assertThatThrownBy(() -> ask(client(daily), "alice", null))
			.isInstanceOfSatisfying(BudgetExceededException.class, (ex) -> {
				assertThat(ex.limitName()).isEqualTo("per-user-daily");
				assertThat(ex.scope()).isEqualTo(ScopeType.USER);
				assertThat(ex.key()).isEqualTo("alice");
				assertThat(ex.resetsAt()).hasToString("2026-01-02T00:00:00Z");
				assertThat(ex.retryAfter()).contains(Duration.ofDays(1));
				assertThat(ex.getMessage()).contains("per-user-daily", "alice", "0 of 500 tokens");
			});

		assertThat(this.server.requestCount()).isZero();
		assertThat(this.recorded).singleElement()
			.satisfies((record) -> assertThat(record.outcome()).isEqualTo(CallOutcome.REJECTED));
		assertThat(this.store.usage(daily, "alice").reservedTokens()).isZero();
	}

	@Test
	void whenTheBudgetIsUsedUpThenOnlyThatKeyIsRefusedUntilTheWindowRollsOver() {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 3000);
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(1000, 1000));
		ChatClient client = client(daily);
		ask(client, "alice", null);

		assertThatThrownBy(() -> ask(client, "alice", null)).isInstanceOf(BudgetExceededException.class);
		ask(client, "bob", null);
		this.clock.advance(Duration.ofDays(1));
		ask(client, "alice", null);

		assertThat(this.server.requestCount()).isEqualTo(3);
	}

	@Test
	void whenALimitListsModelsThenCallsToOtherModelsAreNotCounted() {
		BudgetLimit gpt4o = new BudgetLimit("gpt-4o-daily", ScopeType.TENANT, Duration.ofDays(1),
				new BudgetAmount(null, new BigDecimal("0.01")), Set.of("gpt-4o"), ExhaustedAction.REJECT, null, 0,
				Map.of());
		this.server.reply(OpenAiCompletion.text("Paris.").model("gpt-4o-mini-2024-07-18").usage(100, 10))
			.reply(OpenAiCompletion.text("Paris.").model("gpt-4o-2024-08-06").usage(100, 10));
		ChatClient client = client(gpt4o);

		ask(client, "alice", OpenAiChatOptions.builder().model("gpt-4o-mini").build());
		assertThat(this.store.usage(gpt4o, "anonymous").usedCostNanos()).isZero();

		ask(client, "alice", OpenAiChatOptions.builder().model("gpt-4o-2024-08-06").maxTokens(100).build());
		// gpt-4o: 100 * 2.50 + 10 * 10.00 per 1M
		assertThat(this.store.usage(gpt4o, "anonymous").usedCostNanos()).isEqualTo(350_000);
	}

	@Test
	void whenAKeyHasAnOverrideThenItsAllowanceApplies() {
		BudgetLimit tenant = new BudgetLimit("tenant-daily", ScopeType.TENANT, Duration.ofDays(1),
				new BudgetAmount(500L, null), Set.of(), ExhaustedAction.REJECT, null, 0,
				Map.of("acme", new BudgetAmount(5000L, null)));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(100, 10));
		ChatClient client = client(tenant);

		client.prompt().user(QUESTION).advisors((a) -> a.param(ResourceContextKeys.TENANT, "acme")).call().content();

		assertThatThrownBy(() -> client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, "globex"))
			.call()
			.content()).isInstanceOf(BudgetExceededException.class);
		assertThat(this.store.usage(tenant, "acme").usedTokens()).isEqualTo(110);
	}

	@Test
	void whenTheBudgetIsUsedUpAndTheLimitFallsBackThenTheCallGoesToTheFallbackModel() {
		BudgetLimit gpt4o = new BudgetLimit("gpt-4o-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(null, new BigDecimal("0.02")), Set.of("gpt-4o"), ExhaustedAction.FALLBACK_MODEL,
				"gpt-4o-mini", 0, Map.of());
		this.server.reply(OpenAiCompletion.text("Paris.").model("gpt-4o-2024-08-06").usage(1000, 1000))
			.reply(OpenAiCompletion.text("Rome.").model("gpt-4o-mini-2024-07-18").usage(1000, 1000));
		ChatClient client = client(gpt4o);
		OpenAiChatOptions gpt4oOptions = OpenAiChatOptions.builder()
			.model("gpt-4o")
			.maxTokens(1000)
			.temperature(0.3)
			.build();

		ask(client, "alice", gpt4oOptions);
		ask(client, "alice", gpt4oOptions);

		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
		JsonNode second = this.server.takeRequest();
		assertThat(second.path("model").asText()).isEqualTo("gpt-4o-mini");
		assertThat(second.path("temperature").asDouble()).as("other options are kept").isEqualTo(0.3);
		assertThat(this.recorded).extracting(UsageRecord::model)
			.containsExactly("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18");
	}

	@Test
	void whenFallbackAtIsReachedThenCallsGoToTheFallbackModelBeforeTheBudgetIsGone() {
		BudgetLimit daily = new BudgetLimit("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(10_000L, null), Set.of(), ExhaustedAction.REJECT, "gpt-4o-mini", 0.5, Map.of());
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(2000, 1000));
		ChatClient client = client(daily);
		OpenAiChatOptions gpt4o = OpenAiChatOptions.builder().model("gpt-4o").maxTokens(1000).build();

		ask(client, "alice", gpt4o);
		ask(client, "alice", gpt4o);
		ask(client, "alice", gpt4o);

		List<String> models = List.of(this.server.takeRequest().path("model").asText(),
				this.server.takeRequest().path("model").asText(), this.server.takeRequest().path("model").asText());
		assertThat(models).containsExactly("gpt-4o", "gpt-4o", "gpt-4o-mini");
		assertThat(this.store.usage(daily, "alice").usedTokens()).isEqualTo(9000);
	}

	@Test
	void whenACostLimitCoversAModelWithoutAPriceThenTheCallIsRefusedNamingTheModelAndTheProperty() {
		BudgetLimit daily = cost("per-user-daily", ScopeType.USER, "1.00");

		assertThatThrownBy(() -> ask(client(daily), "alice", OpenAiChatOptions.builder().model("mystery-7b").build()))
			.isInstanceOf(BudgetExceededException.class)
			.hasMessageContaining("mystery-7b")
			.hasMessageContaining("ai.resource.pricing.models.mystery-7b");
		assertThat(this.server.requestCount()).isZero();
	}

	@Test
	void whenAModelIsPricedAtZeroThenItUsesTokenLimitsButNoCostLimits() {
		BudgetLimit cost = cost("cost-daily", ScopeType.USER, "0.000001");
		BudgetLimit tokens = tokens("tokens-daily", ScopeType.USER, 100_000);
		PricingCatalog pricing = PricingCatalog.builder()
			.price("llama3", new ModelPrice(BigDecimal.ZERO, null, BigDecimal.ZERO))
			.build();
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").model("llama3").usage(100, 10));
		ChatClient client = client(BudgetAdvisor.builder(budgets(cost, tokens)).pricing(pricing), pricing);

		ask(client, "alice", OpenAiChatOptions.builder().model("llama3").build());
		ask(client, "alice", OpenAiChatOptions.builder().model("llama3").build());

		assertThat(this.store.usage(tokens, "alice").usedTokens()).isEqualTo(220);
		assertThat(this.store.usage(cost, "alice").usedCostNanos()).isZero();
	}

	@Test
	void whenManyThreadsRaceABudgetThenExactlyTheCallsThatFitSucceedAndNothingOvershoots() throws Exception {
		int maxTokens = 50;
		int prompt = this.tokenCounter.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total();
		int perCall = prompt + maxTokens;
		int fits = 20;
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, (long) fits * perCall);
		// The model reports exactly what was reserved: a call that is admitted costs what
		// it
		// reserved, so exactly `fits` calls fit, and every refusal was necessary.
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(prompt, maxTokens));
		ChatClient client = client(daily);
		AtomicInteger refused = new AtomicInteger();
		int succeeded = TestThreads.race(64, (thread) -> () -> {
			try {
				ask(client, "alice", OpenAiChatOptions.builder().maxTokens(maxTokens).build());
				return true;
			}
			catch (BudgetExceededException ex) {
				refused.incrementAndGet();
				return false;
			}
		});

		assertThat(succeeded).isEqualTo(fits);
		assertThat(refused).hasValue(64 - fits);
		assertThat(this.server.requestCount()).isEqualTo(fits);
		BudgetUsage usage = this.store.usage(daily, "alice");
		assertThat(usage.usedTokens()).isEqualTo((long) fits * perCall);
		assertThat(usage.reservedTokens()).isZero();
	}

	@Test
	void whenHalfOfManyStreamsAreCancelledMidwayThenNothingStaysReserved() {
		cancelHalfOfManyStreams(this.store);
	}

	@Test
	void whenHalfOfManyStreamsAreCancelledMidwayOnRedisThenNothingStaysReserved() {
		String prefix = RedisTestSupport.uniquePrefix();
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
		try (ResourceRedis redis = new ResourceRedis(factory, prefix, Duration.ofSeconds(2))) {
			cancelHalfOfManyStreams(new RedisBudgetStore(redis));
		}
		finally {
			factory.destroy();
			RedisTestSupport.deleteKeys(prefix);
		}
	}

	private void cancelHalfOfManyStreams(BudgetStore store) {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 100_000_000);
		ChatClient client = client(BudgetAdvisor.builder(new Budgets(List.of(daily), store, null)),
				PricingCatalog.withDefaults());
		int streams = 1000;
		for (int i = 0; i < streams; i++) {
			OpenAiCompletion answer = OpenAiCompletion.text("one ", "two ", "three").usage(20, 3);
			this.server.stream((i % 2 == 0) ? answer : answer.stallAfter(2));
		}

		for (int i = 0; i < streams; i++) {
			var stream = client.prompt()
				.user(QUESTION)
				.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
				.stream()
				.content();
			if (i % 2 == 0) {
				stream.collectList().block(Duration.ofSeconds(10));
			}
			else {
				// Cancel once the first text arrived, while the model is still answering.
				stream.take(1).blockLast(Duration.ofSeconds(10));
			}
		}

		// Streams end on the model client's event loop, so they settle on another thread.
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(store.usage(daily, "alice").reservedTokens()).isZero());
		assertThat(this.lastAdvisor.held()).containsEntry("budget.reservations", 0L);
		assertThat(this.recorded).hasSize(streams);
		long charged = this.recorded.stream()
			.mapToLong((record) -> record.promptTokens() + record.completionTokens())
			.sum();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(store.usage(daily, "alice").usedTokens()).isEqualTo(charged));
		assertThat(this.recorded).filteredOn((record) -> record.outcome() == CallOutcome.CANCELLED)
			.hasSize(streams / 2);
	}

	@Test
	void whenTheStoreFailsAndFailureModeIsClosedThenTheCallIsRefusedAtOnce() {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 10_000);
		BudgetAdvisor.Builder advisor = BudgetAdvisor.builder(new Budgets(List.of(daily), new FailingStore(), null))
			.failureMode(FailureMode.FAIL_CLOSED);

		assertThatThrownBy(() -> ask(client(advisor, PricingCatalog.withDefaults()), "alice", null))
			.isInstanceOf(StoreUnavailableException.class)
			.hasMessageContaining("fail-closed");
		assertThat(this.server.requestCount()).isZero();
	}

	@Test
	void whenTheStoreFailsAndFailureModeIsOpenThenTheCallGoesThroughAndIsCounted() {
		BudgetLimit daily = tokens("per-user-daily", ScopeType.USER, 10_000);
		this.server.reply(OpenAiCompletion.text("Paris.").usage(60, 40));
		BudgetAdvisor.Builder builder = BudgetAdvisor.builder(new Budgets(List.of(daily), new FailingStore(), null))
			.failureMode(FailureMode.FAIL_OPEN);
		BudgetAdvisor advisor = builder.recorder(this.recorder).tokenCounter(this.tokenCounter).build();
		ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(advisor, usageAdvisor(PricingCatalog.withDefaults()))
			.build();

		assertThat(ask(client, "alice", null)).isEqualTo("Paris.");
		assertThat(advisor.failOpenCalls()).isEqualTo(1);
	}

	private String ask(ChatClient client, String user, OpenAiChatOptions options) {
		var prompt = client.prompt().user(QUESTION).advisors((a) -> a.param(ResourceContextKeys.USER, user));
		if (options != null) {
			prompt = prompt.options(options);
		}
		return prompt.call().content();
	}

	private ChatClient client(BudgetLimit... limits) {
		return client(BudgetAdvisor.builder(budgets(limits)), PricingCatalog.withDefaults());
	}

	private Budgets budgets(BudgetLimit... limits) {
		return new Budgets(List.of(limits), this.store, null);
	}

	private ChatClient client(BudgetAdvisor.Builder budget, PricingCatalog pricing) {
		BudgetAdvisor advisor = budget.recorder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.clock(this.clock)
			.defaultModel(() -> "gpt-4o-mini")
			.build();
		this.lastAdvisor = advisor;
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(advisor, usageAdvisor(pricing))
			.build();
	}

	private UsageAdvisor usageAdvisor(PricingCatalog pricing) {
		UsageRecorder recorder = new UsageRecorder(pricing,
				List.<UsageListener>of((record, scope) -> this.recorded.add(record)));
		return UsageAdvisor.builder(recorder).tokenCounter(this.tokenCounter).defaultModel(() -> "gpt-4o-mini").build();
	}

	private static BudgetLimit tokens(String name, ScopeType scope, long maxTokens) {
		return BudgetLimit.of(name, scope, Duration.ofDays(1), new BudgetAmount(maxTokens, null));
	}

	private static BudgetLimit cost(String name, ScopeType scope, String maxCost) {
		return BudgetLimit.of(name, scope, Duration.ofDays(1), new BudgetAmount(null, new BigDecimal(maxCost)));
	}

	/**
	 * A store that fails as Redis does when it is down.
	 */
	private static final class FailingStore implements BudgetStore {

		@Override
		public BudgetAdmission reserve(String reservationId, List<BudgetCharge> charges, Duration leaseTtl,
				boolean checkFallbackAt) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

		@Override
		public void settle(String reservationId, List<BudgetCharge> charges, long actualTokens, long actualCostNanos,
				Duration leaseTtl) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

		@Override
		public BudgetUsage usage(BudgetLimit limit, String key) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

		@Override
		public List<KeyUsage> top(BudgetLimit limit, int count) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

		@Override
		public void reset(BudgetLimit limit, String key) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

		@Override
		public void grant(BudgetLimit limit, String key, long extraTokens, long extraCostNanos) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

	}

}
