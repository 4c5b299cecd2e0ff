package io.github.airesource.core.budget;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.admission.JointAdmission;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.lang.Nullable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Budget settlements that fail are retried until Redis takes them, end to end: a real
 * {@link ChatClient} with the budget and usage advisors (and, for the joint path, the
 * rate-limit advisor and the joint admission) on a real Redis behind a proxy that cuts
 * the connection or holds Redis's replies back while the model answers, so that the call
 * was reserved and its settlement fails. The budget ends up charged what the model
 * billed, once: not the reservation, not nothing, not twice.
 */
class BudgetSettlementRetryTests {

	private static final String QUESTION = "What is the capital of France?";

	/** Short, so that a settlement fails soon; the reads of the test use their own. */
	private static final Duration OUTAGE_TIMEOUT = Duration.ofMillis(500);

	/** A lease that ends while a test's Redis is unreachable. */
	private static final Duration SHORT_LEASE = Duration.ofSeconds(2);

	private static final int MAX_TOKENS = 50;

	private static final int PROMPT_TOKENS = 20;

	private static final int COMPLETION_TOKENS = 5;

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final TokenCounter tokenCounter = TokenCounter.create();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> {
			}));

	private final String prefix = RedisTestSupport.uniquePrefix();

	private final List<AutoCloseable> cleanUp = new ArrayList<>();

	private final TcpProxy proxy = own(TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port()));

	private final BudgetLimit perUser = BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
			new BudgetAmount(100_000L, null));

	private final BudgetLimit global = BudgetLimit.of("global-daily", ScopeType.GLOBAL, Duration.ofDays(1),
			new BudgetAmount(null, new BigDecimal("100.00")));

	/**
	 * The joint path's token rate limit: over 30 days, so that what flows back during a
	 * test is far less than one token.
	 */
	private final RateLimit userTokens = RateLimit.of("user-tokens", ScopeType.USER, Duration.ofDays(30), null, 10_000L,
			null);

	/** What the model bills for every answer of these tests, in nano-dollars. */
	private final long billedCostNanos = BudgetMoney
		.toNanosCeiling(PricingCatalog.withDefaults().cost("gpt-4o-mini", PROMPT_TOKENS, 0, COMPLETION_TOKENS));

	@AfterEach
	void cleanUp() throws Exception {
		this.server.close();
		for (int i = this.cleanUp.size() - 1; i >= 0; i--) {
			this.cleanUp.get(i).close();
		}
		RedisTestSupport.deleteKeys(this.prefix);
	}

	@ParameterizedTest(name = "joint admission: {0}")
	@ValueSource(booleans = { false, true })
	void whenRedisIsUnreachableAsTheCallEndsThenItsSettlementIsRetriedAndChargesWhatTheModelBilledOnceRedisIsBack(
			boolean joint) {
		Chain chain = chain(joint, SettlementRetries.CAPACITY);
		answerAfter(this.proxy::cut);

		assertThat(ask(chain)).isEqualTo("Paris.");
		awaitAnswered(chain);

		assertThat(chain.budget().failedSettlements()).isEqualTo(1);
		assertThat(chain.budget().pendingSettlements()).isEqualTo(1);
		if (joint) {
			assertThat(chain.rateLimit().failedAdjustments()).as("the joint settlement failed for both").isEqualTo(1);
		}
		BudgetUsage whileDown = readStore().usage(this.perUser, "alice");
		assertThat(whileDown.usedTokens()).as("nothing settled while Redis is unreachable").isZero();
		assertThat(whileDown.reservedTokens()).isEqualTo(reservedTokens());
		if (joint) {
			assertThat(rateLimitTokensTaken()).as("the estimate, not yet corrected").isEqualTo(reservedTokens());
		}

		this.proxy.restore();

		awaitRecovered(chain, 1);
		assertChargedWhatTheModelBilled(1);
		assertThat(chain.budget().abandonedSettlements()).isZero();
		if (joint) {
			assertThat(chain.joint().held()).containsEntry("admission.settlements", 0L);
			assertThat(rateLimitTokensTaken()).as("the retry corrected the rate limit too")
				.isEqualTo(PROMPT_TOKENS + COMPLETION_TOKENS);
		}
	}

	@ParameterizedTest(name = "joint admission: {0}")
	@ValueSource(booleans = { false, true })
	void whenTheSettlementsAnswerIsLateThenTheCallReturnsWithoutItAndTheSettlementCountsOnceItComes(boolean joint) {
		Chain chain = askedWhileRedisHoldsItsReplies(joint);

		assertThat(chain.budget().awaitSentSettlements(Duration.ZERO))
			.as("the call returned while Redis's answer to its settlement is held back")
			.isFalse();
		if (joint) {
			assertThat(chain.joint().held()).containsEntry("admission.settlements", 0L);
		}
		this.proxy.releaseReplies();
		awaitAnswered(chain);
		assertThat(chain.budget().failedSettlements()).isZero();
		if (joint) {
			assertThat(chain.rateLimit().failedAdjustments()).isZero();
		}
		assertThat(chain.budget().pendingSettlements()).isZero();
		assertChargedWhatTheModelBilled(1);
	}

	@ParameterizedTest(name = "joint admission: {0}")
	@ValueSource(booleans = { false, true })
	void whenShuttingDownWhileASettlementsAnswerIsLateThenTheFlushWaitsForIt(boolean joint) {
		Chain chain = askedWhileRedisHoldsItsReplies(joint);

		CompletableFuture<Boolean> flush = CompletableFuture
			.supplyAsync(() -> chain.budget().flushSettlements(Duration.ofSeconds(20)));

		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !flush.isDone());
		this.proxy.releaseReplies();
		assertThat(flush.join()).isTrue();
		assertThat(chain.budget().awaitSentSettlements(Duration.ZERO)).isTrue();
		assertThat(chain.budget().failedSettlements()).isZero();
		assertChargedWhatTheModelBilled(1);
	}

	@Test
	void whenRedisIsBackOnlyAfterTheLeaseEndedThenTheRetryStillChargesWhatTheModelBilledAndReleasesNothingTwice() {
		Chain chain = chain(false, SettlementRetries.CAPACITY, SHORT_LEASE);
		answerAfter(this.proxy::cut);

		assertThat(ask(chain)).isEqualTo("Paris.");
		awaitAnswered(chain);

		assertThat(chain.budget().failedSettlements()).isEqualTo(1);
		BudgetStore store = readStore();
		// The lease ends while Redis is unreachable: what it held flows back.
		await().atMost(Duration.ofSeconds(30)).until(() -> store.usage(this.perUser, "alice").reservedTokens() == 0);
		assertThat(store.usage(this.perUser, "alice").usedTokens()).isZero();

		this.proxy.restore();

		awaitRecovered(chain, 1);
		assertChargedWhatTheModelBilled(1);
	}

	@ParameterizedTest(name = "joint admission: {0}")
	@ValueSource(booleans = { false, true })
	void whenASettlementRanInRedisButItsAnswerWasLateThenItsRetryChargesNothingMore(boolean joint) {
		Chain chain = chain(joint, SettlementRetries.CAPACITY);
		answerAfter(this.proxy::holdReplies);

		assertThat(ask(chain)).isEqualTo("Paris.");
		awaitAnswered(chain);

		assertThat(chain.budget().failedSettlements()).isEqualTo(1);
		if (joint) {
			assertThat(chain.rateLimit().failedAdjustments()).isEqualTo(1);
		}
		assertThat(readStore().usage(this.perUser, "alice").usedTokens())
			.as("the settlement that timed out was applied by Redis")
			.isEqualTo(PROMPT_TOKENS + COMPLETION_TOKENS);
		// A retry reaches Redis too, and times out as well, before the replies come.
		await().atMost(Duration.ofSeconds(30)).until(() -> chain.budgets().health().failures() >= 2);

		this.proxy.releaseReplies();

		awaitRecovered(chain, 1);
		assertChargedWhatTheModelBilled(1);
		if (joint) {
			assertThat(rateLimitTokensTaken()).as("corrected once, by the first settlement")
				.isEqualTo(PROMPT_TOKENS + COMPLETION_TOKENS);
		}
	}

	@Test
	void whenFlushedAtShutdownThenWaitingSettlementsAreSentAtOnceAndAStoreStillAwayBoundsTheWait() {
		Chain chain = chain(false, SettlementRetries.CAPACITY);
		answerAfter(this.proxy::cut);
		assertThat(ask(chain)).isEqualTo("Paris.");
		// Retried at 100, 200, 400 and 800 ms: the next try is up to 2 s away.
		await().atMost(Duration.ofSeconds(30)).until(() -> chain.budgets().health().failures() >= 5);

		// Redis still away: the flush gives up after its time, the settlement still
		// waits.
		assertThat(chain.budget().flushSettlements(Duration.ofMillis(300))).isFalse();
		assertThat(chain.budget().pendingSettlements()).isEqualTo(1);

		this.proxy.restore();

		assertThat(chain.budget().flushSettlements(Duration.ofSeconds(30))).isTrue();
		assertThat(chain.budget().pendingSettlements()).isZero();
		assertChargedWhatTheModelBilled(1);
	}

	@Test
	void whenMoreSettlementsFailThanMayWaitThenTheRestAreAbandonedAndCountedAndNoCallFails() throws Exception {
		Chain chain = chain(false, 1);
		CountDownLatch gate = new CountDownLatch(1);
		this.server.answerEveryRequestWhenOpen(OpenAiCompletion.text("Paris.").usage(PROMPT_TOKENS, COMPLETION_TOKENS),
				gate);
		ExecutorService callers = Executors.newFixedThreadPool(2);
		try {
			CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> ask(chain), callers);
			CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> ask(chain), callers);
			// Both are reserved and at the model when Redis goes away.
			await().atMost(Duration.ofSeconds(30)).until(() -> this.server.requestsInProgress() == 2);
			this.proxy.cut();
			gate.countDown();

			assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("Paris.");
			assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo("Paris.");
		}
		finally {
			callers.shutdownNow();
		}
		awaitAnswered(chain);

		assertThat(chain.budget().failedSettlements()).isEqualTo(2);
		assertThat(chain.budget().abandonedSettlements()).as("the one that found the queue full").isEqualTo(1);
		assertThat(chain.budget().pendingSettlements()).isEqualTo(1);

		this.proxy.restore();

		awaitRecovered(chain, 1);
		BudgetUsage usage = readStore().usage(this.perUser, "alice");
		assertThat(usage.usedTokens()).as("the retried call").isEqualTo(PROMPT_TOKENS + COMPLETION_TOKENS);
		assertThat(usage.reservedTokens()).as("the abandoned call's reservation, until its lease ends")
			.isEqualTo(reservedTokens());
		assertThat(chain.budget().abandonedSettlements()).isEqualTo(1);
	}

	/**
	 * Have the model answer every call after the fault, so that the call was reserved
	 * while Redis was there and settles once it is not.
	 */
	private void answerAfter(Runnable fault) {
		this.server.answerEveryRequest((request) -> {
			fault.run();
			return OpenAiCompletion.text("Paris.").usage(PROMPT_TOKENS, COMPLETION_TOKENS);
		});
	}

	/**
	 * A chain whose Redis timeout outlasts the test, asked once: Redis holds its replies
	 * back from the model's answer on, so the call's settlement has been sent and has no
	 * answer yet.
	 */
	private Chain askedWhileRedisHoldsItsReplies(boolean joint) {
		Chain chain = chain(joint, SettlementRetries.CAPACITY, BudgetAdvisor.DEFAULT_RESERVATION_TTL,
				Duration.ofSeconds(30));
		answerAfter(this.proxy::holdReplies);
		assertThat(ask(chain)).isEqualTo("Paris.");
		return chain;
	}

	private String ask(Chain chain) {
		return chain.client()
			.prompt()
			.user(QUESTION)
			.options(OpenAiChatOptions.builder().maxTokens(MAX_TOKENS).build())
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
			.call()
			.content();
	}

	/**
	 * Wait until the settlements, which the calls do not wait for, have their answers or
	 * their failures.
	 */
	private static void awaitAnswered(Chain chain) {
		assertThat(chain.budget().awaitSentSettlements(Duration.ofSeconds(30))).isTrue();
	}

	private static void awaitRecovered(Chain chain, long count) {
		await().atMost(Duration.ofSeconds(30)).until(() -> chain.budget().recoveredSettlements() == count);
		assertThat(chain.budget().pendingSettlements()).isZero();
	}

	/**
	 * The budget's keys are charged what the model billed for the calls, no more and no
	 * less, and nothing stays reserved.
	 */
	private void assertChargedWhatTheModelBilled(int calls) {
		BudgetStore store = readStore();
		BudgetUsage user = store.usage(this.perUser, "alice");
		assertThat(user.usedTokens()).isEqualTo((long) calls * (PROMPT_TOKENS + COMPLETION_TOKENS));
		assertThat(user.reservedTokens()).isZero();
		BudgetUsage fleet = store.usage(this.global, CallScope.GLOBAL_ID);
		assertThat(fleet.usedCostNanos()).isEqualTo(calls * this.billedCostNanos);
		assertThat(fleet.reservedCostNanos()).isZero();
	}

	/**
	 * The tokens the joint path's token rate limit holds for alice, read straight from
	 * Redis.
	 */
	private long rateLimitTokensTaken() {
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
		this.cleanUp.add(factory::destroy);
		RedisRateLimitStore store = new RedisRateLimitStore(
				own(new ResourceRedis(factory, this.prefix, Duration.ofSeconds(5))));
		return this.userTokens.tokens() - store.state(this.userTokens, "alice").get(0).remaining();
	}

	private long reservedTokens() {
		return this.tokenCounter.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total() + MAX_TOKENS;
	}

	/**
	 * The budget, usage and (for the joint path) rate-limit advisors of an instance whose
	 * Redis is behind the proxy.
	 */
	private Chain chain(boolean joint, int retryCapacity) {
		return chain(joint, retryCapacity, BudgetAdvisor.DEFAULT_RESERVATION_TTL);
	}

	private Chain chain(boolean joint, int retryCapacity, Duration reservationTtl) {
		return chain(joint, retryCapacity, reservationTtl, OUTAGE_TIMEOUT);
	}

	private Chain chain(boolean joint, int retryCapacity, Duration reservationTtl, Duration redisTimeout) {
		ResourceRedis redis = own(new ResourceRedis(factory(this.proxy.port()), this.prefix, redisTimeout));
		RedisBudgetStore budgets = new RedisBudgetStore(redis);
		// Connected before the test's calls, which the short timeout would fail on a cold
		// start.
		await().atMost(Duration.ofSeconds(30))
			.ignoreExceptionsInstanceOf(RedisUnavailableException.class)
			.until(() -> budgets.usage(this.perUser, "alice").usedTokens() == 0);
		Budgets allBudgets = new Budgets(List.of(this.perUser, this.global), budgets, null);
		List<Advisor> advisors = new ArrayList<>();
		RateLimitAdvisor rateLimit = null;
		JointAdmission jointAdmission = null;
		if (joint) {
			RateLimit requests = RateLimit.of("user-requests", ScopeType.USER, Duration.ofDays(1), 1_000L, null, null);
			rateLimit = RateLimitAdvisor
				.builder(new RateLimits(List.of(requests, this.userTokens), new RedisRateLimitStore(redis),
						new ProviderHolds(Clock.systemUTC())))
				.recorder(this.recorder)
				.tokenCounter(this.tokenCounter)
				.defaultModel(() -> "gpt-4o-mini")
				.build();
			jointAdmission = new JointAdmission(allBudgets, rateLimit);
			assertThat(jointAdmission.isJoint()).isTrue();
		}
		BudgetAdvisor budget = BudgetAdvisor.builder(allBudgets)
			.reservationPartner(jointAdmission)
			.recorder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.defaultModel(() -> "gpt-4o-mini")
			.settlementRetryCapacity(retryCapacity)
			.reservationTtl(reservationTtl)
			.build();
		advisors.add(budget);
		if (rateLimit != null) {
			advisors.add(rateLimit);
		}
		advisors.add(UsageAdvisor.builder(this.recorder)
			.tokenCounter(this.tokenCounter)
			.defaultModel(() -> "gpt-4o-mini")
			.build());
		ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(advisors)
			.build();
		return new Chain(budgets, budget, rateLimit, jointAdmission, client);
	}

	/**
	 * The budget store as another instance sees it, straight on Redis.
	 */
	private BudgetStore readStore() {
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
		this.cleanUp.add(factory::destroy);
		return new RedisBudgetStore(own(new ResourceRedis(factory, this.prefix, Duration.ofSeconds(5))));
	}

	private LettuceConnectionFactory factory(int port) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port), LettuceClientConfiguration.builder().build());
		factory.afterPropertiesSet();
		factory.start();
		this.cleanUp.add(factory::destroy);
		return factory;
	}

	private <T extends AutoCloseable> T own(T resource) {
		this.cleanUp.add(resource);
		return resource;
	}

	private record Chain(RedisBudgetStore budgets, BudgetAdvisor budget, @Nullable RateLimitAdvisor rateLimit,
			@Nullable JointAdmission joint, ChatClient client) {
	}

}
