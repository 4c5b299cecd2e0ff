package io.github.airesource.core.ratelimit;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.redis.FailureMode;
import io.github.airesource.core.redis.RedisUnavailableException;
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
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The rate-limit advisor end to end: a real {@link ChatClient} with the rate-limit and
 * usage advisors over the real OpenAI client, talking HTTP to a loopback server that
 * speaks the OpenAI wire format. The store's clock is injected and stands still unless a
 * test moves it, so "one window" is exact.
 */
class RateLimitAdvisorTests {

	private static final String QUESTION = "What is the capital of France?";

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryRateLimitStore store = new InMemoryRateLimitStore(this.clock);

	private final ProviderHolds holds = new ProviderHolds(this.clock);

	private final TokenCounter tokenCounter = TokenCounter.create();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenManyThreadsRaceARequestLimitThenNoMoreThanTheLimitAreAdmittedPerWindow() throws Exception {
		RateLimit rpm = RateLimit.of("global-rpm", ScopeType.GLOBAL, MINUTE, 10L, null, null);
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		RateLimitAdvisor advisor = advisor(builder(rpm));
		ChatClient client = client(advisor);

		int first = race(client, 32);
		this.clock.advance(MINUTE.dividedBy(2));
		int half = race(client, 32);
		this.clock.advance(MINUTE);
		int next = race(client, 32);

		assertThat(first).isEqualTo(10);
		assertThat(half).as("half a period gives back half the capacity").isEqualTo(5);
		assertThat(next).isEqualTo(10);
		assertThat(this.server.requestCount()).isEqualTo(25);
		assertThat(advisor.rejections(RateLimitRejection.LIMIT)).isEqualTo(3 * 32 - 25);
	}

	@Test
	void whenManyThreadsRaceATokenLimitThenExactlyTheCallsThatFitAreAdmittedAndTheBucketHoldsTheirUse()
			throws Exception {
		int maxTokens = 50;
		int prompt = promptTokens();
		int perCall = prompt + maxTokens;
		RateLimit tpm = RateLimit.of("user-tpm", ScopeType.USER, MINUTE, null, 8L * perCall, null);
		// The model reports what was taken, so every refusal was necessary.
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(prompt, maxTokens));
		ChatClient client = client(advisor(builder(tpm)));

		int succeeded = TestThreads.race(32, (thread) -> () -> tryAsk(client, "alice", maxTokens));

		assertThat(succeeded).isEqualTo(8);
		assertThat(this.server.requestCount()).isEqualTo(8);
		assertThat(this.store.state(tpm, "alice")).singleElement().satisfies((state) -> {
			assertThat(state.remaining()).isZero();
			assertThat(state.resetAfter()).isEqualTo(MINUTE);
		});
	}

	@Test
	void whenManyThreadsRaceACostLimitThenExactlyTheCallsThatFitAreAdmitted() throws Exception {
		int maxTokens = 100;
		int prompt = promptTokens();
		// gpt-4o-mini: 0.15 input and 0.60 output USD per 1M tokens = 150 and 600
		// nano-dollars per token.
		long perCallNanos = prompt * 150L + maxTokens * 600L;
		RateLimit cost = RateLimit.of("tenant-cpm", ScopeType.TENANT, MINUTE, null, null,
				BigDecimal.valueOf(6 * perCallNanos, 9));
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(prompt, maxTokens));
		ChatClient client = client(advisor(builder(cost)));

		int succeeded = TestThreads.race(32, (thread) -> () -> tryAsk(client, "alice", maxTokens));

		assertThat(succeeded).isEqualTo(6);
		assertThat(this.server.requestCount()).isEqualTo(6);
		assertThat(this.store.state(cost, "anonymous")).singleElement()
			.satisfies((state) -> assertThat(state.remaining()).isZero());
	}

	@Test
	void whenTheCallUsesLessThanTakenThenTheBucketIsReconciledToTheActualUse() {
		RateLimit tpm = RateLimit.of("user-tpm", ScopeType.USER, MINUTE, 5L, 10_000L, null);
		this.server.reply(OpenAiCompletion.text("Paris.").usage(60, 40));

		ask(client(advisor(builder(tpm))), "alice", 4000);

		assertThat(this.store.state(tpm, "alice")).extracting(RateLimitState::dimension, RateLimitState::remaining)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(RateDimension.REQUESTS, 4L),
					org.assertj.core.groups.Tuple.tuple(RateDimension.TOKENS, 9900L));
	}

	@Test
	void whenTheCallUsesMoreThanTakenThenTheOverrunIsCharged() {
		RateLimit tpm = RateLimit.of("user-tpm", ScopeType.USER, MINUTE, null, 10_000L, null);
		this.server.reply(OpenAiCompletion.text("A long answer.").usage(60, 900));

		ask(client(advisor(builder(tpm))), "alice", 10);

		assertThat(remaining(tpm, "alice")).isEqualTo(10_000 - 960);
	}

	@Test
	void whenTheProviderFailsBeforeAnyTokenThenTokensAreGivenBackButTheRequestCounts() {
		RateLimit limit = RateLimit.of("user", ScopeType.USER, MINUTE, 5L, 10_000L, null);
		this.server.fail(500, "The server had an error");

		assertThatThrownBy(() -> ask(client(advisor(builder(limit))), "alice", 100))
			.isNotInstanceOf(ResourceLimitException.class);

		assertThat(this.store.state(limit, "alice")).extracting(RateLimitState::remaining).containsExactly(4L, 10_000L);
	}

	@Test
	void whenAnAdvisorFurtherInRefusesTheCallThenEverythingIsGivenBack() {
		RateLimit limit = RateLimit.of("user", ScopeType.USER, MINUTE, 5L, 10_000L, null);
		CallAdvisor bulkhead = new RefusingAdvisor();
		ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(advisor(builder(limit)), bulkhead)
			.build();

		assertThatThrownBy(() -> ask(client, "alice", 100)).isInstanceOf(ResourceLimitException.class)
			.hasMessageContaining("queue is full");

		assertThat(this.store.state(limit, "alice")).extracting(RateLimitState::remaining).containsExactly(5L, 10_000L);
		assertThat(this.server.requestCount()).isZero();
	}

	@Test
	void whenACallFitsWithinMaxWaitThenItWaitsAndSucceeds() {
		Duration period = Duration.ofMillis(300);
		RateLimit limit = RateLimit.of("global", ScopeType.GLOBAL, period, 1L, null, null);
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		List<Duration> waits = new CopyOnWriteArrayList<>();
		ChatClient client = client(advisor(builder(limit).maxWait(Duration.ofSeconds(5)).waitRecorder(waits::add)));

		ChatClientResponse first = client.prompt().user(QUESTION).call().chatClientResponse();
		long started = System.nanoTime();
		ChatClientResponse second = client.prompt().user(QUESTION).call().chatClientResponse();
		long tookNanos = System.nanoTime() - started;

		assertThat(second.chatResponse().getResult().getOutput().getText()).isEqualTo("Paris.");
		assertThat(status(first).waited()).isZero();
		assertThat(status(second).waited()).isEqualTo(period);
		assertThat(tookNanos).as("the caller was parked for its wait").isGreaterThanOrEqualTo(period.toNanos());
		assertThat(waits).containsExactly(Duration.ZERO, period);
		assertThat(this.server.requestCount()).isEqualTo(2);
	}

	@Test
	void whenACallCannotFitWithinMaxWaitThenItIsRefusedAtOnceWithRetryAfter() {
		RateLimit limit = RateLimit.of("user-rpm", ScopeType.USER, MINUTE, 2L, null, null);
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ChatClient client = client(advisor(builder(limit).maxWait(Duration.ofSeconds(10))));
		ask(client, "alice", null);
		ask(client, "alice", null);

		assertThatThrownBy(() -> ask(client, "alice", null)).isInstanceOfSatisfying(RateLimitExceededException.class,
				(ex) -> {
					assertThat(ex.limitName()).isEqualTo("user-rpm");
					assertThat(ex.scope()).isEqualTo(ScopeType.USER);
					assertThat(ex.key()).isEqualTo("alice");
					assertThat(ex.dimension()).isEqualTo(RateDimension.REQUESTS);
					assertThat(ex.retryAfter()).contains(Duration.ofSeconds(30));
				});
		assertThat(this.server.requestCount()).isEqualTo(2);
		assertThat(this.recorded).filteredOn((record) -> record.outcome() == CallOutcome.REJECTED).hasSize(1);
	}

	@Test
	void whenACallCanNeverFitThenItIsRefusedWithoutRetryAfter() {
		RateLimit tpm = RateLimit.of("user-tpm", ScopeType.USER, MINUTE, null, 100L, null);

		assertThatThrownBy(() -> ask(client(advisor(builder(tpm).maxWait(MINUTE))), "alice", 500))
			.isInstanceOfSatisfying(RateLimitExceededException.class, (ex) -> {
				assertThat(ex.retryAfter()).isEmpty();
				assertThat(ex.getMessage()).contains("can never fit");
			});
	}

	@Test
	void whenAWaitingStreamIsCancelledThenItGivesItsCapacityBack() {
		Duration period = Duration.ofSeconds(30);
		RateLimit limit = RateLimit.of("global", ScopeType.GLOBAL, period, 1L, null, null);
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 5));
		ChatClient client = client(advisor(builder(limit).maxWait(MINUTE)));
		client.prompt().user(QUESTION).call().content();

		Disposable waiting = client.prompt().user(QUESTION).stream().content().subscribe();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(resetAfter(limit)).isEqualTo(period.multipliedBy(2)));
		waiting.dispose();

		assertThat(resetAfter(limit)).isEqualTo(period);
		assertThat(this.server.requestCount()).isEqualTo(1);
	}

	@Test
	void whenAStreamIsAdmittedThenItsElementsCarryTheStatusAndItIsReconciledToTheActualUse() {
		RateLimit tpm = RateLimit.of("user-tpm", ScopeType.USER, MINUTE, null, 10_000L, null);
		this.server.stream(OpenAiCompletion.text("Par", "is.").usage(70, 30));
		ChatClient client = client(advisor(builder(tpm)));

		List<ChatClientResponse> elements = client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
			.stream()
			.chatClientResponse()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(elements).isNotEmpty()
			.allSatisfy((element) -> assertThat(element.context().get(ResourceContextKeys.RATE_LIMIT))
				.isInstanceOf(RateLimitStatus.class));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(remaining(tpm, "alice")).isEqualTo(9900));
	}

	@Test
	void whenTheCallIsAdmittedThenTheResponseContextHoldsTheStatesOfTheLimitsThatApplied() {
		RateLimit rpm = RateLimit.of("global-rpm", ScopeType.GLOBAL, MINUTE, 60L, null, null);
		RateLimit tpm = RateLimit.of("user-tpm", ScopeType.USER, MINUTE, null, 10_000L, null);
		RateLimit other = new RateLimit("gpt-4o-rpm", ScopeType.GLOBAL, MINUTE, 1L, null, null, Set.of("gpt-4o"));
		this.server.reply(OpenAiCompletion.text("Paris.").usage(60, 40));
		ChatClient client = client(advisor(builder(rpm, tpm, other)));

		ChatClientResponse response = client.prompt()
			.user(QUESTION)
			.options(OpenAiChatOptions.builder().maxTokens(100).build())
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
			.call()
			.chatClientResponse();

		RateLimitStatus status = status(response);
		assertThat(status.states()).extracting(RateLimitState::limit).containsExactly("global-rpm", "user-tpm");
		assertThat(status.statesOf("global-rpm")).singleElement().satisfies((state) -> {
			assertThat(state.capacity()).isEqualTo(60);
			assertThat(state.remaining()).isEqualTo(59);
			assertThat(state.resetAfter()).isEqualTo(Duration.ofSeconds(1));
		});
		assertThat(status.mostConstrained())
			.hasValueSatisfying((state) -> assertThat(state.limit()).isEqualTo("global-rpm"));
	}

	@Test
	void whenTheProviderSaysRequestsAreUsedUpThenFurtherCallsAreRefusedLocallyUntilTheReset() {
		this.server.replyWithHeaders(OpenAiCompletion.text("Paris.").usage(20, 5), Map.of("x-ratelimit-limit-requests",
				"100", "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "20s"));
		this.server.reply(OpenAiCompletion.text("Rome.").usage(20, 5));
		RateLimit rpm = RateLimit.of("global-rpm", ScopeType.GLOBAL, MINUTE, 1000L, null, null);
		RateLimitAdvisor advisor = advisor(builder(rpm));
		ChatClient client = client(advisor);
		ask(client, "alice", null);

		assertThatThrownBy(() -> ask(client, "alice", null)).isInstanceOfSatisfying(RateLimitExceededException.class,
				(ex) -> {
					assertThat(ex.limitName()).isEqualTo(RateLimitAdvisor.PROVIDER_LIMIT);
					assertThat(ex.retryAfter()).contains(Duration.ofSeconds(20));
					assertThat(ex.getMessage()).contains("x-ratelimit-remaining-requests: 0");
				});
		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(this.holds.current()).singleElement()
			.satisfies((hold) -> assertThat(hold.model()).isEqualTo("gpt-4o-mini"));

		this.clock.advance(Duration.ofSeconds(20));
		assertThat(ask(client, "alice", null)).isEqualTo("Rome.");
		assertThat(advisor.rejections(RateLimitRejection.PROVIDER)).isEqualTo(1);
		assertThat(advisor.lastRejection(RateLimitRejection.PROVIDER)).isEqualTo(this.clock.instant().minusSeconds(20));
		assertThat(advisor.lastRejection(RateLimitRejection.LIMIT)).isNull();
	}

	@Test
	void whenProviderFeedbackIsOffThenTheProvidersHeadersAreIgnored() {
		this.server.replyWithHeaders(OpenAiCompletion.text("Paris.").usage(20, 5),
				Map.of("x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "1m"));
		this.server.reply(OpenAiCompletion.text("Rome.").usage(20, 5));
		RateLimit rpm = RateLimit.of("global-rpm", ScopeType.GLOBAL, MINUTE, 1000L, null, null);
		ChatClient client = client(advisor(builder(rpm).providerFeedback(false)));

		ask(client, "alice", null);

		assertThat(ask(client, "alice", null)).isEqualTo("Rome.");
	}

	@Test
	void whenACostLimitCoversAModelWithoutAPriceThenTheCallIsRefusedNamingThePriceProperty() {
		RateLimit cost = RateLimit.of("tenant-cph", ScopeType.TENANT, Duration.ofHours(1), null, null,
				new BigDecimal("2.00"));

		assertThatThrownBy(() -> client(advisor(builder(cost))).prompt()
			.user(QUESTION)
			.options(OpenAiChatOptions.builder().model("mystery-7b").build())
			.call()
			.content()).isInstanceOf(RateLimitExceededException.class)
			.hasMessageContaining("ai.resource.pricing.models.mystery-7b");
		assertThat(this.server.requestCount()).isZero();
	}

	@Test
	void whenTheStoreFailsAndFailureModeIsClosedThenTheCallIsRefusedAtOnce() {
		RateLimit rpm = RateLimit.of("global-rpm", ScopeType.GLOBAL, MINUTE, 10L, null, null);
		RateLimitAdvisor advisor = advisor(
				RateLimitAdvisor.builder(new RateLimits(List.of(rpm), new FailingStore(), this.holds))
					.failureMode(FailureMode.FAIL_CLOSED));

		assertThatThrownBy(() -> ask(client(advisor), "alice", null)).isInstanceOf(StoreUnavailableException.class)
			.hasMessageContaining("fail-closed");
		assertThat(this.server.requestCount()).isZero();
		assertThat(advisor.rejections(RateLimitRejection.STORE_UNAVAILABLE)).isEqualTo(1);
	}

	@Test
	void whenTheStoreFailsAndFailureModeIsOpenThenTheCallGoesThroughAndIsCounted() {
		RateLimit rpm = RateLimit.of("global-rpm", ScopeType.GLOBAL, MINUTE, 10L, null, null);
		this.server.reply(OpenAiCompletion.text("Paris.").usage(60, 40));
		RateLimitAdvisor advisor = advisor(
				RateLimitAdvisor.builder(new RateLimits(List.of(rpm), new FailingStore(), this.holds))
					.failureMode(FailureMode.FAIL_OPEN));

		assertThat(ask(client(advisor), "alice", null)).isEqualTo("Paris.");
		assertThat(advisor.failOpenCalls()).isEqualTo(1);
	}

	private int race(ChatClient client, int threads) throws Exception {
		return TestThreads.race(threads, (thread) -> () -> tryAsk(client, "user-" + thread, null));
	}

	private boolean tryAsk(ChatClient client, String user, Integer maxTokens) {
		try {
			ask(client, user, maxTokens);
			return true;
		}
		catch (RateLimitExceededException ex) {
			return false;
		}
	}

	private String ask(ChatClient client, String user, Integer maxTokens) {
		var prompt = client.prompt().user(QUESTION).advisors((a) -> a.param(ResourceContextKeys.USER, user));
		if (maxTokens != null) {
			prompt = prompt.options(OpenAiChatOptions.builder().maxTokens(maxTokens).build());
		}
		return prompt.call().content();
	}

	private int promptTokens() {
		return this.tokenCounter.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total();
	}

	private long remaining(RateLimit limit, String key) {
		return this.store.state(limit, key).get(0).remaining();
	}

	private Duration resetAfter(RateLimit limit) {
		return this.store.state(limit, "global").get(0).resetAfter();
	}

	private static RateLimitStatus status(ChatClientResponse response) {
		return (RateLimitStatus) response.context().get(ResourceContextKeys.RATE_LIMIT);
	}

	private RateLimitAdvisor.Builder builder(RateLimit... limits) {
		return RateLimitAdvisor.builder(new RateLimits(List.of(limits), this.store, this.holds));
	}

	private RateLimitAdvisor advisor(RateLimitAdvisor.Builder builder) {
		return builder.recorder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.defaultModel(() -> "gpt-4o-mini")
			.build();
	}

	private ChatClient client(RateLimitAdvisor advisor) {
		UsageAdvisor usage = UsageAdvisor.builder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.defaultModel(() -> "gpt-4o-mini")
			.build();
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server)).defaultAdvisors(advisor, usage).build();
	}

	/**
	 * Stands for the concurrency limit: refuses every call, after the rate limit took its
	 * share.
	 */
	private static final class RefusingAdvisor implements CallAdvisor {

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			throw new ResourceLimitException("The concurrency queue is full", "concurrency", ScopeType.GLOBAL, null);
		}

		@Override
		public String getName() {
			return "refusing";
		}

		@Override
		public int getOrder() {
			return RateLimitAdvisor.DEFAULT_ORDER + 100;
		}

	}

	/**
	 * A store that fails as Redis does when it is down.
	 */
	private static final class FailingStore implements RateLimitStore {

		@Override
		public RateLimitDecision acquire(List<RateLimitCharge> charges, Duration maxWait) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

		@Override
		public void adjust(List<RateLimitCharge> charges, long requests, long tokens, long costNanos) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

		@Override
		public List<RateLimitState> state(RateLimit limit, String key) {
			throw new RedisUnavailableException("Redis did not answer within PT0.5S", null);
		}

	}

}
