package io.github.airesource.core.admission;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.BudgetUsage;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.budget.ExhaustedAction;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.ratelimit.RateLimitRejection;
import io.github.airesource.core.ratelimit.RateLimitStatus;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.redis.FailureMode;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisCommandCounts;
import io.github.airesource.testsupport.RedisServerProcess;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.ChatModelCallAdvisor;
import org.springframework.ai.chat.client.advisor.DefaultAroundAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.lang.Nullable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The joint admission end to end: a real {@link ChatClient} with the budget, rate-limit
 * and usage advisors on Redis over the real OpenAI client, talking HTTP to a loopback
 * server that speaks the OpenAI wire format. One script admits a call against both, one
 * more settles both, and every answer is the one the two advisors give in turn.
 */
class JointAdmissionTests {

	private static final String QUESTION = "What is the capital of France?";

	/**
	 * The rate limits' period: so long that what flows back during a test is less than
	 * one token, so that remaining capacity is exact.
	 */
	private static final Duration PERIOD = Duration.ofDays(365 * 30);

	/** Generous, since other builds share the machine and the test Redis. */
	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final TokenCounter tokenCounter = TokenCounter.create();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	private final List<Duration> waits = new CopyOnWriteArrayList<>();

	private final List<AutoCloseable> cleanUp = new ArrayList<>();

	private final List<String> prefixes = new ArrayList<>();

	@AfterEach
	void cleanUp() throws Exception {
		this.server.close();
		for (int i = this.cleanUp.size() - 1; i >= 0; i--) {
			this.cleanUp.get(i).close();
		}
		this.prefixes.forEach(RedisTestSupport::deleteKeys);
	}

	@Test
	void whenACallIsAdmittedThenOneScriptAdmitsItAgainstBudgetAndRateLimitsAndOneMoreSettlesBoth() {
		Counted counted = counted();
		BudgetLimit daily = tokens(10_000);
		RateLimit limit = RateLimit.of("user-limits", ScopeType.USER, PERIOD, 100L, 1_000_000L, null);
		Chain chain = chain(counted.redis(), true, List.of(daily), List.of(limit));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		// Loads the script (EVALSHA answered NOSCRIPT, then EVAL) before counting.
		ask(chain, "warm-up", 50);
		// The settlement is sent as the call returns, without waiting for its answer.
		assertThat(chain.joint().awaitSettlements(Duration.ofSeconds(10))).isTrue();
		Map<String, Long> before = counted.counts().sent();
		long scriptsBefore = RedisCommandCounts.scriptsRun(counted.server());
		AtomicReference<Map<String, Long>> atModelCall = new AtomicReference<>();
		this.server.answerEveryRequest((request) -> {
			atModelCall.set(counted.counts().sentSince(before));
			return OpenAiCompletion.text("Paris.").usage(20, 5);
		});

		ChatClientResponse response = ask(chain, "alice", 50);

		assertThat(atModelCall.get()).as("commands sent to admit the call").isEqualTo(Map.of("EVALSHA", 1L));
		assertThat(chain.joint().awaitSettlements(Duration.ofSeconds(10))).isTrue();
		assertThat(counted.counts().sentSince(before)).as("commands sent to admit and settle it")
			.isEqualTo(Map.of("EVALSHA", 2L));
		assertThat(RedisCommandCounts.scriptsRun(counted.server()) - scriptsBefore).as("scripts the server ran")
			.isEqualTo(2);
		BudgetUsage usage = chain.budgets().usage(daily, "alice");
		assertThat(usage.usedTokens()).isEqualTo(25);
		assertThat(usage.reservedTokens()).isZero();
		assertThat(status(response).statesOf("user-limits")).extracting((state) -> state.remaining())
			.containsExactly(99L, 1_000_000L - promptTokens() - 50);
		assertThat(chain.limits().state(limit, "alice")).extracting((state) -> state.remaining())
			.as("reconciled to what the call used")
			.containsExactly(99L, 1_000_000L - 25);
		assertThat(chain.joint().held()).containsEntry("admission.settlements", 0L);
	}

	@Test
	void whenAStreamIsAdmittedThenOneScriptAdmitsItAndOneMoreSettlesIt() {
		Counted counted = counted();
		BudgetLimit daily = tokens(10_000);
		RateLimit limit = RateLimit.of("user-limits", ScopeType.USER, PERIOD, 100L, 1_000_000L, null);
		Chain chain = chain(counted.redis(), true, List.of(daily), List.of(limit));
		this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is.").usage(20, 5));
		streamAndWait(chain, "warm-up");
		awaitSettled(chain);
		Map<String, Long> before = counted.counts().sent();
		AtomicReference<Map<String, Long>> atModelCall = new AtomicReference<>();
		this.server.answerEveryRequest((request) -> {
			atModelCall.set(counted.counts().sentSince(before));
			return OpenAiCompletion.text("Par", "is.").usage(20, 5);
		});

		assertThat(streamAndWait(chain, "alice")).isEqualTo("Paris.");

		awaitSettled(chain);
		assertThat(atModelCall.get()).as("commands sent to admit the stream").isEqualTo(Map.of("EVALSHA", 1L));
		assertThat(counted.counts().sentSince(before)).as("commands sent to admit and settle it")
			.isEqualTo(Map.of("EVALSHA", 2L));
		assertThat(chain.budgets().usage(daily, "alice").usedTokens()).isEqualTo(25);
		assertThat(chain.limits().state(limit, "alice")).extracting((state) -> state.remaining())
			.containsExactly(99L, 1_000_000L - 25);
	}

	@Test
	void whenTheRateLimitRefusesThenTheCallIsRefusedAsWithoutTheJointAdmissionAndNoBudgetStaysReserved() {
		BudgetLimit daily = tokens(10_000);
		RateLimit limit = RateLimit.of("user-requests", ScopeType.USER, PERIOD, 1L, null, null);
		Chain joint = chain(redis(), true, List.of(daily), List.of(limit));
		Chain inTurn = chain(redis(), false, List.of(daily), List.of(limit));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		List<RateLimitExceededException> refusals = new ArrayList<>();

		for (Chain chain : List.of(joint, inTurn)) {
			ask(chain, "alice", 50);
			assertThatThrownBy(() -> ask(chain, "alice", 50)).isInstanceOfSatisfying(RateLimitExceededException.class,
					refusals::add);
			BudgetUsage usage = chain.budgets().usage(daily, "alice");
			assertThat(usage.usedTokens()).isEqualTo(25);
			assertThat(usage.reservedTokens()).as("nothing stays reserved for the refused call").isZero();
			assertThat(chain.rateLimit().rejections(RateLimitRejection.LIMIT)).isEqualTo(1);
		}

		RateLimitExceededException jointly = refusals.get(0);
		RateLimitExceededException separately = refusals.get(1);
		assertThat(jointly.limitName()).isEqualTo(separately.limitName()).isEqualTo("user-requests");
		assertThat(jointly.key()).isEqualTo(separately.key());
		assertThat(jointly.dimension()).isEqualTo(separately.dimension());
		assertThat(withoutRetryAfter(jointly.getMessage())).isEqualTo(withoutRetryAfter(separately.getMessage()));
		assertThat(jointly.retryAfter()).hasValueSatisfying((after) -> assertThat(after).isPositive());
		assertThat(this.server.requestCount()).isEqualTo(2);
		assertThat(this.recorded).filteredOn((record) -> record.outcome() == CallOutcome.REJECTED).hasSize(2);
	}

	@Test
	void whenTheBudgetRefusesThenNoRateLimitCapacityIsTaken() {
		BudgetLimit daily = tokens(1000);
		RateLimit limit = RateLimit.of("user-requests", ScopeType.USER, PERIOD, 10L, null, null);
		Chain chain = chain(redis(), true, List.of(daily), List.of(limit));

		assertThatThrownBy(() -> ask(chain, "alice", 2000)).isInstanceOfSatisfying(BudgetExceededException.class,
				(ex) -> assertThat(ex.limitName()).isEqualTo("per-user-daily"));

		assertThat(chain.limits().state(limit, "alice")).singleElement()
			.satisfies((state) -> assertThat(state.remaining()).isEqualTo(10));
		assertThat(chain.rateLimit().rejections(RateLimitRejection.LIMIT)).isZero();
		assertThat(this.server.requestCount()).isZero();
	}

	@Test
	void whenTheBudgetSendsTheCallToItsFallbackModelThenTheRateLimitsOfTheFallbackModelAreCharged() {
		Counted counted = counted();
		BudgetLimit daily = new BudgetLimit("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(null, new BigDecimal("0.005")), Set.of(), ExhaustedAction.FALLBACK_MODEL,
				"gpt-4o-mini", 0, Map.of());
		RateLimit large = new RateLimit("gpt-4o-requests", ScopeType.USER, PERIOD, 10L, null, null, Set.of("gpt-4o"));
		RateLimit mini = new RateLimit("mini-requests", ScopeType.USER, PERIOD, 10L, null, null, Set.of("gpt-4o-mini"));
		Chain chain = chain(counted.redis(), true, List.of(daily), List.of(large, mini));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ask(chain, "warm-up", OpenAiChatOptions.builder().model("gpt-4o-mini").maxTokens(50).build());
		this.server.takeRequest();
		long scriptsBefore = RedisCommandCounts.scriptsRun(counted.server());

		// gpt-4o at up to 1,000 tokens of output would cost up to USD 0.01, over the
		// budget; gpt-4o-mini fits.
		ChatClientResponse response = ask(chain, "alice",
				OpenAiChatOptions.builder().model("gpt-4o").maxTokens(1000).build());

		assertThat(RedisCommandCounts.scriptsRun(counted.server()) - scriptsBefore)
			.as("two to admit (the fallback model's one more), one to settle")
			.isEqualTo(3);
		assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
		assertThat(status(response).states()).extracting((state) -> state.limit()).containsExactly("mini-requests");
		assertThat(remaining(chain, mini, "alice")).isEqualTo(9);
		assertThat(remaining(chain, large, "alice")).as("the model the call did not go to").isEqualTo(10);
		assertThat(chain.budgets().usage(daily, "alice").reservedCostNanos()).isZero();
	}

	@Test
	void whenTheRateLimitAsksToWaitThenTheCallWaitsAfterItsJointAdmission() {
		Duration period = Duration.ofMillis(500);
		BudgetLimit daily = tokens(10_000);
		RateLimit limit = RateLimit.of("global-requests", ScopeType.GLOBAL, period, 1L, null, null);
		Chain chain = chain(redis(), true, FailureMode.FAIL_CLOSED, Duration.ofSeconds(5), List.of(daily),
				List.of(limit));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));

		ChatClientResponse first = ask(chain, "alice", 50);
		ChatClientResponse second = ask(chain, "alice", 50);

		assertThat(status(first).waited()).isZero();
		assertThat(status(second).waited()).isPositive().isLessThanOrEqualTo(period);
		assertThat(this.waits).hasSize(2).last().isEqualTo(status(second).waited());
		assertThat(chain.budgets().usage(daily, "alice").usedTokens()).isEqualTo(50);
		assertThat(chain.budgets().usage(daily, "alice").reservedTokens()).isZero();
	}

	@Test
	void whenHalfOfManyStreamsAreCancelledMidwayThenNothingStaysReservedOrWaitsToBeSettled() {
		BudgetLimit daily = tokens(100_000_000);
		RateLimit limit = RateLimit.of("user-limits", ScopeType.USER, PERIOD, 1_000_000L, 10_000_000L, null);
		Chain chain = chain(redis(), true, List.of(daily), List.of(limit));
		int streams = 200;
		for (int i = 0; i < streams; i++) {
			OpenAiCompletion answer = OpenAiCompletion.text("one ", "two ", "three").usage(20, 3);
			this.server.stream((i % 2 == 0) ? answer : answer.stallAfter(2));
		}

		for (int i = 0; i < streams; i++) {
			var stream = chain.client()
				.prompt()
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

		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(chain.joint().held()).containsEntry("admission.settlements", 0L));
		assertThat(chain.budget().held()).containsEntry("budget.reservations", 0L);
		assertThat(this.recorded).hasSize(streams);
		long charged = this.recorded.stream()
			.mapToLong((record) -> record.promptTokens() + record.completionTokens())
			.sum();
		BudgetUsage usage = chain.budgets().usage(daily, "alice");
		assertThat(usage.reservedTokens()).isZero();
		assertThat(usage.usedTokens()).isEqualTo(charged);
		assertThat(chain.limits().state(limit, "alice")).extracting((state) -> state.remaining())
			.as("each stream took one request and was reconciled to what it used")
			.containsExactly(1_000_000L - streams, 10_000_000L - charged);
		assertThat(this.recorded).filteredOn((record) -> record.outcome() == CallOutcome.CANCELLED)
			.hasSize(streams / 2);
	}

	@Test
	void whenAnAdvisorBetweenTheTwoChangesTheModelThenTheCallIsAdmittedInTurnAgainstTheNewModelsLimits() {
		BudgetLimit daily = tokens(10_000);
		RateLimit large = new RateLimit("gpt-4o-requests", ScopeType.USER, PERIOD, 1L, null, null, Set.of("gpt-4o"));
		RateLimit mini = new RateLimit("mini-requests", ScopeType.USER, PERIOD, 10L, null, null, Set.of("gpt-4o-mini"));
		Chain chain = chain(redis(), true, FailureMode.FAIL_CLOSED, Duration.ZERO, List.of(daily), List.of(large, mini),
				new ModelSwitchingAdvisor("gpt-4o"));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ask(chain, "alice", 50);

		assertThatThrownBy(() -> ask(chain, "alice", 50)).isInstanceOfSatisfying(RateLimitExceededException.class,
				(ex) -> assertThat(ex.limitName()).isEqualTo("gpt-4o-requests"));

		assertThat(remaining(chain, mini, "alice")).as("the model the call asked for, which it never went to")
			.isEqualTo(10);
		assertThat(chain.budgets().usage(daily, "alice").reservedTokens()).isZero();
		assertThat(this.server.requestCount()).isEqualTo(1);
	}

	@Test
	void whenTheRequestReachingTheRateLimitsIsNotTheOneAdmittedThenItsCapacityGoesBackAndItIsAdmittedAgain() {
		BudgetLimit daily = tokens(10_000);
		RateLimit limit = RateLimit.of("user-requests", ScopeType.USER, PERIOD, 10L, null, null);
		Chain chain = chain(redis(), true, List.of(daily), List.of(limit));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ChatClientRequest request = ChatClientRequest.builder()
			.prompt(new Prompt(new UserMessage(QUESTION), OpenAiChatOptions.builder().maxTokens(50).build()))
			.context(ResourceContextKeys.USER, "alice")
			.build();

		ChatClientResponse response = chain.budget().adviseCall(request, new CopyingChain(chain));

		assertThat(response.chatResponse().getResult().getOutput().getText()).isEqualTo("Paris.");
		assertThat(remaining(chain, limit, "alice")).as("one request, not two").isEqualTo(9);
		BudgetUsage usage = chain.budgets().usage(daily, "alice");
		assertThat(usage.usedTokens()).isEqualTo(25);
		assertThat(usage.reservedTokens()).isZero();
		assertThat(chain.joint().held()).containsEntry("admission.settlements", 0L);
	}

	@Test
	void whenTheRequestContextIsReadOnlyThenTheAdmissionTravelsInACopyOfTheRequest() {
		Counted counted = counted();
		BudgetLimit daily = tokens(10_000);
		RateLimit limit = RateLimit.of("user-requests", ScopeType.USER, PERIOD, 10L, null, null);
		Chain chain = chain(counted.redis(), true, FailureMode.FAIL_CLOSED, Duration.ZERO, List.of(daily),
				List.of(limit), new ReadOnlyContextAdvisor());
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ask(chain, "warm-up", 50);
		long scriptsBefore = RedisCommandCounts.scriptsRun(counted.server());

		ask(chain, "alice", 50);

		assertThat(RedisCommandCounts.scriptsRun(counted.server()) - scriptsBefore).isEqualTo(2);
		assertThat(remaining(chain, limit, "alice")).isEqualTo(9);
		assertThat(chain.budgets().usage(daily, "alice").usedTokens()).isEqualTo(25);
		assertThat(chain.budgets().usage(daily, "alice").reservedTokens()).isZero();
	}

	@Test
	void whenNoRateLimitAppliesToTheCallThenTheBudgetReservesAndSettlesAlone() {
		Counted counted = counted();
		BudgetLimit daily = tokens(10_000);
		RateLimit large = new RateLimit("gpt-4o-requests", ScopeType.USER, PERIOD, 1L, null, null, Set.of("gpt-4o"));
		Chain chain = chain(counted.redis(), true, List.of(daily), List.of(large));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ask(chain, "warm-up", 50);
		long scriptsBefore = RedisCommandCounts.scriptsRun(counted.server());

		ask(chain, "alice", 50);
		ask(chain, "alice", 50);

		assertThat(RedisCommandCounts.scriptsRun(counted.server()) - scriptsBefore).isEqualTo(4);
		assertThat(chain.budgets().usage(daily, "alice").usedTokens()).isEqualTo(50);
		assertThat(remaining(chain, large, "alice")).isEqualTo(1);
	}

	@Test
	void whenRedisIsDownAndFailureModeIsClosedThenTheBudgetRefusesTheCallAndBothStoresCountTheFailure() {
		Chain chain = chain(unreachableRedis(), true, FailureMode.FAIL_CLOSED, Duration.ZERO, List.of(tokens(10_000)),
				List.of(RateLimit.of("user-requests", ScopeType.USER, PERIOD, 10L, null, null)));

		assertThatThrownBy(() -> ask(chain, "alice", 50)).isInstanceOf(StoreUnavailableException.class)
			.hasMessageContaining("The budget store did not answer")
			.hasMessageContaining("fail-closed");

		assertThat(this.server.requestCount()).isZero();
		assertThat(chain.budgets().health().failures()).isEqualTo(1);
		assertThat(chain.limits().health().failures()).isEqualTo(1);
	}

	@Test
	void whenRedisIsDownAndFailureModeIsOpenThenTheCallGoesThroughCountedByBothAfterOneAttempt() {
		Chain chain = chain(unreachableRedis(), true, FailureMode.FAIL_OPEN, Duration.ZERO, List.of(tokens(10_000)),
				List.of(RateLimit.of("user-requests", ScopeType.USER, PERIOD, 10L, null, null)));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));

		assertThat(ask(chain, "alice", 50).chatResponse().getResult().getOutput().getText()).isEqualTo("Paris.");

		assertThat(chain.budget().failOpenCalls()).isEqualTo(1);
		assertThat(chain.rateLimit().failOpenCalls()).isEqualTo(1);
		assertThat(chain.budgets().health().failures()).as("one round trip tried, for both").isEqualTo(1);
		assertThat(chain.limits().health().failures()).isEqualTo(1);
		assertThat(chain.joint().held()).containsEntry("admission.settlements", 0L);
	}

	private ChatClientResponse ask(Chain chain, String user, int maxTokens) {
		return ask(chain, user, OpenAiChatOptions.builder().maxTokens(maxTokens).build());
	}

	private ChatClientResponse ask(Chain chain, String user, OpenAiChatOptions options) {
		return chain.client()
			.prompt()
			.user(QUESTION)
			.options(options)
			.advisors((a) -> a.param(ResourceContextKeys.USER, user))
			.call()
			.chatClientResponse();
	}

	private static String streamAndWait(Chain chain, String user) {
		return String.join("",
				chain.client()
					.prompt()
					.user(QUESTION)
					.options(OpenAiChatOptions.builder().maxTokens(50).build())
					.advisors((a) -> a.param(ResourceContextKeys.USER, user))
					.stream()
					.content()
					.collectList()
					.block(Duration.ofSeconds(10)));
	}

	/**
	 * Wait until every jointly admitted call of the chain is settled: a stream ends on
	 * the model client's event loop and settles on another thread. Reads no Redis, so
	 * that round trips can be counted around it.
	 */
	private static void awaitSettled(Chain chain) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> chain.joint().held().get("admission.settlements") == 0
					&& chain.budget().held().get("budget.reservations") == 0);
	}

	private int promptTokens() {
		return this.tokenCounter.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total();
	}

	private static RateLimitStatus status(ChatClientResponse response) {
		return (RateLimitStatus) response.context().get(ResourceContextKeys.RATE_LIMIT);
	}

	private static long remaining(Chain chain, RateLimit limit, String key) {
		return chain.limits().state(limit, key).get(0).remaining();
	}

	private static String withoutRetryAfter(String message) {
		return message.replaceAll("fits in .*", "fits in");
	}

	private static BudgetLimit tokens(long maxTokens) {
		return BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1), new BudgetAmount(maxTokens, null));
	}

	private Chain chain(ResourceRedis redis, boolean joint, List<BudgetLimit> budgetLimits,
			List<RateLimit> rateLimits) {
		return chain(redis, joint, FailureMode.FAIL_CLOSED, Duration.ZERO, budgetLimits, rateLimits);
	}

	/**
	 * The budget, rate-limit and usage advisors of an instance, on Redis, as the starter
	 * wires them; with the joint admission or without it.
	 */
	private Chain chain(ResourceRedis redis, boolean joint, FailureMode failureMode, Duration maxWait,
			List<BudgetLimit> budgetLimits, List<RateLimit> rateLimits, Advisor... more) {
		RedisBudgetStore budgets = new RedisBudgetStore(redis);
		RedisRateLimitStore limits = new RedisRateLimitStore(redis);
		Budgets allBudgets = new Budgets(budgetLimits, budgets, null);
		RateLimitAdvisor rateLimit = RateLimitAdvisor
			.builder(new RateLimits(rateLimits, limits, new ProviderHolds(Clock.systemUTC())))
			.recorder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.defaultModel(() -> "gpt-4o-mini")
			.maxWait(maxWait)
			.failureMode(failureMode)
			.waitRecorder(this.waits::add)
			.build();
		JointAdmission jointAdmission = joint ? new JointAdmission(allBudgets, rateLimit) : null;
		BudgetAdvisor budget = BudgetAdvisor.builder(allBudgets)
			.reservationPartner(jointAdmission)
			.recorder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.defaultModel(() -> "gpt-4o-mini")
			.failureMode(failureMode)
			.build();
		UsageAdvisor usage = UsageAdvisor.builder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.defaultModel(() -> "gpt-4o-mini")
			.build();
		List<Advisor> advisors = new ArrayList<>(List.of(budget, rateLimit, usage));
		advisors.addAll(List.of(more));
		ChatModel model = OpenAiTestModels.chatModel(this.server);
		ChatClient client = ChatClient.builder(model).defaultAdvisors(advisors).build();
		return new Chain(budgets, limits, budget, rateLimit, jointAdmission, model, client);
	}

	private ResourceRedis redis() {
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
		this.cleanUp.add(factory::destroy);
		return resourceRedis(factory, TIMEOUT);
	}

	/**
	 * A Redis of the test's own, whose round trips are counted at both ends.
	 */
	private Counted counted() {
		RedisServerProcess server = RedisServerProcess.start();
		this.cleanUp.add(server);
		RedisCommandCounts counts = new RedisCommandCounts();
		this.cleanUp.add(counts);
		return new Counted(server, counts, resourceRedis(factory(server.port(), counts), TIMEOUT));
	}

	/**
	 * A Redis behind a connection that is cut: it never answers.
	 */
	private ResourceRedis unreachableRedis() {
		TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port());
		this.cleanUp.add(proxy);
		proxy.cut();
		return resourceRedis(factory(proxy.port(), null), Duration.ofMillis(500));
	}

	private ResourceRedis resourceRedis(LettuceConnectionFactory factory, Duration timeout) {
		String prefix = RedisTestSupport.uniquePrefix();
		this.prefixes.add(prefix);
		ResourceRedis redis = new ResourceRedis(factory, prefix, timeout);
		this.cleanUp.add(redis);
		return redis;
	}

	private LettuceConnectionFactory factory(int port, @Nullable RedisCommandCounts counts) {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder();
		if (counts != null) {
			client.clientResources(counts.clientResources());
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port), client.build());
		factory.afterPropertiesSet();
		factory.start();
		this.cleanUp.add(factory::destroy);
		return factory;
	}

	private record Chain(RedisBudgetStore budgets, RedisRateLimitStore limits, BudgetAdvisor budget,
			RateLimitAdvisor rateLimit, @Nullable JointAdmission joint, ChatModel model, ChatClient client) {
	}

	private record Counted(RedisServerProcess server, RedisCommandCounts counts, ResourceRedis redis) {
	}

	/**
	 * An application's advisor between the budget and the rate limits that sends every
	 * call to another model.
	 */
	private record ModelSwitchingAdvisor(String model) implements CallAdvisor {

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			OpenAiChatOptions options = OpenAiChatOptions
				.fromOptions((OpenAiChatOptions) request.prompt().getOptions());
			options.setModel(this.model);
			return chain
				.nextCall(request.mutate().prompt(request.prompt().mutate().chatOptions(options).build()).build());
		}

		@Override
		public String getName() {
			return "model-switching";
		}

		@Override
		public int getOrder() {
			return ResourceAdvisorOrder.RATE_LIMIT - 50;
		}

	}

	/**
	 * An application's advisor before the budget that passes the request on with a
	 * context that accepts no writes.
	 */
	private static final class ReadOnlyContextAdvisor implements CallAdvisor {

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			return chain.nextCall(new ChatClientRequest(request.prompt(), Map.copyOf(request.context())));
		}

		@Override
		public String getName() {
			return "read-only-context";
		}

		@Override
		public int getOrder() {
			return ResourceAdvisorOrder.BUDGET - 50;
		}

	}

	/**
	 * A chain, as an application might implement one, that lists the rate-limit advisor
	 * right after the budget advisor but hands it a copy of the request.
	 */
	private static final class CopyingChain implements CallAdvisorChain {

		private final Chain chain;

		private final CallAdvisorChain inner;

		CopyingChain(Chain chain) {
			this.chain = chain;
			this.inner = DefaultAroundAdvisorChain.builder(ObservationRegistry.NOOP)
				.pushAll(List.of(chain.rateLimit(), ChatModelCallAdvisor.builder().chatModel(chain.model()).build()))
				.build();
		}

		@Override
		public ChatClientResponse nextCall(ChatClientRequest request) {
			return this.inner.nextCall(request.mutate().build());
		}

		@Override
		public List<CallAdvisor> getCallAdvisors() {
			return List.of(this.chain.budget(), this.chain.rateLimit());
		}

		@Override
		public CallAdvisorChain copy(CallAdvisor after) {
			throw new UnsupportedOperationException();
		}

	}

}
