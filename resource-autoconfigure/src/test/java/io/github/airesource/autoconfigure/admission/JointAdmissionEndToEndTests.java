package io.github.airesource.autoconfigure.admission;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.admission.JointAdmission;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.ratelimit.RateLimitState;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisCommandCounts;
import io.github.airesource.testsupport.RedisServerProcess;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Budgets and rate limits both in Redis, as an application gets them from the starter:
 * through a real {@link ChatClient} and the real OpenAI client over HTTP, a call costs
 * one Redis round trip to admit and one to settle; two application contexts sharing one
 * Redis stand for two instances racing a budget or a rate limit; a Redis of the test's
 * own is stopped mid-run.
 */
class JointAdmissionEndToEndTests {

	private static final String QUESTION = "Capital of France?";

	private static final int MAX_TOKENS = 50;

	/** Rate limits flow back so slowly that a test sees less than one token come back. */
	private static final String PERIOD = "10950d";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final int prompt = TokenCounter.create()
		.countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini")
		.total();

	private String prefix;

	@BeforeEach
	void prefix() {
		this.prefix = RedisTestSupport.uniquePrefix();
	}

	@AfterEach
	void cleanUp() {
		this.server.close();
		RedisTestSupport.deleteKeys(this.prefix);
	}

	@Test
	void whenACallIsAdmittedThenItCostsOneRedisRoundTripToAdmitAndOneToSettle() {
		try (RedisServerProcess redis = RedisServerProcess.start();
				RedisCommandCounts counts = new RedisCommandCounts()) {
			this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(this.prompt, MAX_TOKENS));
			instance(redis.url(), "fail-closed").withBean(ClientResources.class, counts::clientResources)
				.run((context) -> {
					ChatClient client = client(context);
					assertThat(context.getBean(JointAdmission.class).isJoint()).isTrue();
					// Connects and loads the script (EVALSHA answered NOSCRIPT, then
					// EVAL).
					ask(client, "warm-up");
					JointAdmission joint = context.getBean(JointAdmission.class);
					awaitSettled(joint);
					for (int call = 0; call < 3; call++) {
						Map<String, Long> before = counts.sent();
						long scriptsBefore = RedisCommandCounts.scriptsRun(redis);
						AtomicReference<Map<String, Long>> atModelCall = new AtomicReference<>();
						this.server.answerEveryRequest((request) -> {
							atModelCall.set(counts.sentSince(before));
							return OpenAiCompletion.text("Paris.").usage(this.prompt, MAX_TOKENS);
						});

						assertThat(ask(client, "alice")).isEqualTo("Paris.");

						assertThat(atModelCall.get()).as("commands on the caller's thread before the model call")
							.isEqualTo(Map.of("EVALSHA", 1L));
						awaitSettled(joint);
						assertThat(counts.sentSince(before)).as("commands to admit and settle the call")
							.isEqualTo(Map.of("EVALSHA", 2L));
						assertThat(RedisCommandCounts.scriptsRun(redis) - scriptsBefore).as("scripts the server ran")
							.isEqualTo(2);
					}
					var alice = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
					assertThat(alice.usedTokens()).isEqualTo(3L * (this.prompt + MAX_TOKENS));
					assertThat(alice.reservedTokens()).isZero();
					assertThat(remaining(context, "user-requests", "alice")).isEqualTo(100_000 - 3);
				});
		}
	}

	@Test
	void whenAStreamIsAdmittedThenItCostsOneRedisRoundTripToAdmitAndOneToSettle() {
		try (RedisServerProcess redis = RedisServerProcess.start();
				RedisCommandCounts counts = new RedisCommandCounts()) {
			this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is.").usage(this.prompt, MAX_TOKENS));
			instance(redis.url(), "fail-closed").withBean(ClientResources.class, counts::clientResources)
				.run((context) -> {
					ChatClient client = client(context);
					JointAdmission joint = context.getBean(JointAdmission.class);
					stream(client, "warm-up");
					awaitSettled(joint);
					Map<String, Long> before = counts.sent();

					assertThat(stream(client, "alice")).isEqualTo("Paris.");

					awaitSettled(joint);
					assertThat(counts.sentSince(before)).as("commands to admit and settle the stream")
						.isEqualTo(Map.of("EVALSHA", 2L));
					var alice = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
					assertThat(alice.usedTokens()).isEqualTo(this.prompt + MAX_TOKENS);
					assertThat(alice.reservedTokens()).isZero();
				});
		}
	}

	@Test
	void whenTwoInstancesRaceABudgetThenExactlyTheCallsThatFitAreAdmittedAndRefusedCallsTakeNoCapacity()
			throws Exception {
		int fits = 12;
		// The model reports exactly what each call reserved, so exactly `fits` calls fit.
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(this.prompt, MAX_TOKENS));
		ApplicationContextRunner instance = instance(RedisTestSupport.url(), "fail-closed").withPropertyValues(
				"ai.resource.budget.limits.per-user-daily.max-tokens=" + fits * (this.prompt + MAX_TOKENS));
		AtomicInteger refused = new AtomicInteger();

		instance.run((first) -> instance.run((second) -> {
			ChatClient[] clients = { client(first), client(second) };
			for (ChatClient client : clients) {
				// Connected before the race: the race is about the budget, not a cold
				// start.
				ask(client, "warm-up");
			}
			int succeeded = TestThreads.race(64, (thread) -> () -> {
				try {
					ask(clients[thread % 2], "alice");
					return true;
				}
				catch (BudgetExceededException ex) {
					refused.incrementAndGet();
					return false;
				}
			});

			assertThat(succeeded).isEqualTo(fits);
			assertThat(refused).hasValue(64 - fits);
			assertThat(this.server.requestCount()).isEqualTo(fits + 2);
			// Each instance reads the other's settlements, sent as its calls returned.
			ResourceAutoConfigurations.awaitSentToRedis(first);
			ResourceAutoConfigurations.awaitSentToRedis(second);
			for (ApplicationContext context : List.of(first, second)) {
				var alice = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
				assertThat(alice.usedTokens()).isEqualTo((long) fits * (this.prompt + MAX_TOKENS));
				assertThat(alice.reservedTokens()).isZero();
				assertThat(remaining(context, "user-requests", "alice")).as("refused calls took no requests")
					.isEqualTo(100_000 - fits);
			}
		}));
	}

	@Test
	void whenTwoInstancesRaceARateLimitThenExactlyTheCallsThatFitAreAdmittedAndNoBudgetStaysReserved()
			throws Exception {
		int fits = 12;
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(this.prompt, MAX_TOKENS));
		ApplicationContextRunner instance = instance(RedisTestSupport.url(), "fail-closed")
			.withPropertyValues("ai.resource.rate-limit.limits.user-requests.requests=" + fits);
		AtomicInteger refused = new AtomicInteger();

		instance.run((first) -> instance.run((second) -> {
			ChatClient[] clients = { client(first), client(second) };
			for (ChatClient client : clients) {
				ask(client, "warm-up");
			}
			int succeeded = TestThreads.race(64, (thread) -> () -> {
				try {
					ask(clients[thread % 2], "alice");
					return true;
				}
				catch (RateLimitExceededException ex) {
					refused.incrementAndGet();
					return false;
				}
			});

			assertThat(succeeded).isEqualTo(fits);
			assertThat(refused).hasValue(64 - fits);
			assertThat(this.server.requestCount()).isEqualTo(fits + 2);
			// Each instance reads the other's settlements, sent as its calls returned.
			ResourceAutoConfigurations.awaitSentToRedis(first);
			ResourceAutoConfigurations.awaitSentToRedis(second);
			for (ApplicationContext context : List.of(first, second)) {
				var alice = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
				assertThat(alice.usedTokens()).as("only admitted calls are charged")
					.isEqualTo((long) fits * (this.prompt + MAX_TOKENS));
				assertThat(alice.reservedTokens()).as("refused calls hold no reservation").isZero();
				assertThat(remaining(context, "user-requests", "alice")).isZero();
			}
		}));
	}

	@Test
	void whenRedisStopsThenFailClosedRefusesAtOnceAndAfterItsRestartCallsAreAdmittedJointlyAgain() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url(), "fail-closed").run((context) -> {
				ChatClient client = client(context);
				ask(client, "alice");

				redis.stop();
				assertThatThrownBy(() -> ask(client, "alice")).isInstanceOf(StoreUnavailableException.class)
					.hasMessageContaining("fail-closed");
				assertThat(this.server.requestCount()).isEqualTo(1);
				assertThat(failures(context, "budget")).isPositive();
				assertThat(failures(context, "ratelimit")).isPositive();

				redis.restart();
				awaitStoreAnswers(context, client);
				ask(client, "alice");
				// The restarted Redis kept nothing (no persistence).
				assertThat(remaining(context, "user-requests", "alice")).isEqualTo(100_000 - 1);
				assertThat(context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice").usedTokens())
					.isEqualTo(25);
			});
		}
	}

	@Test
	void whenRedisStopsThenFailOpenLetsCallsThroughCountedByBudgetAndRateLimitAlike() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url(), "fail-open").run((context) -> {
				ChatClient client = client(context);
				ask(client, "alice");

				redis.stop();
				ask(client, "alice");
				ask(client, "alice");

				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(context.getBean(BudgetAdvisor.class).failOpenCalls()).isEqualTo(2);
				assertThat(context.getBean(RateLimitAdvisor.class).failOpenCalls()).isEqualTo(2);
				assertThat(meters.get("ai.resource.budget.fail-open").functionCounter().count()).isEqualTo(2);
				assertThat(meters.get("ai.resource.rate-limit.fail-open").functionCounter().count()).isEqualTo(2);
				assertThat(this.server.requestCount()).isEqualTo(3);
				assertThat(context.getBean(JointAdmission.class).held()).containsEntry("admission.settlements", 0L);
			});
		}
	}

	/**
	 * Call until the stores answer again: Lettuce reconnects by itself, and until it has,
	 * calls are refused at once.
	 */
	private static void awaitStoreAnswers(ApplicationContext context, ChatClient client) {
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			try {
				ask(client, "probe");
				return true;
			}
			catch (StoreUnavailableException ex) {
				return false;
			}
		});
	}

	private static void awaitSettled(JointAdmission joint) {
		// A stream ends on the model client's event loop and settles on another thread;
		// a settlement is sent without waiting for Redis's answer.
		await().atMost(Duration.ofSeconds(10)).until(() -> joint.held().get("admission.settlements") == 0);
		assertThat(joint.awaitSettlements(Duration.ofSeconds(10))).isTrue();
	}

	private ApplicationContextRunner instance(String redisUrl, String failureMode) {
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withPropertyValues("ai.resource.budget.enabled=true", "ai.resource.budget.store=redis",
					"ai.resource.budget.limits.per-user-daily.max-tokens=100000", "ai.resource.rate-limit.enabled=true",
					"ai.resource.rate-limit.store=redis", "ai.resource.rate-limit.limits.user-requests.scope=user",
					"ai.resource.rate-limit.limits.user-requests.requests=100000",
					"ai.resource.rate-limit.limits.user-requests.period=" + PERIOD,
					"ai.resource.redis.key-prefix=" + this.prefix, "ai.resource.redis.failure-mode=" + failureMode,
					// Above the first call's script loading on a busy machine.
					"ai.resource.redis.timeout=2s", "spring.data.redis.url=" + redisUrl,
					"spring.data.redis.connect-timeout=1s", "management.endpoints.web.exposure.include=aibudgets");
	}

	private static long remaining(ApplicationContext context, String limitName, String key) {
		RateLimits limits = context.getBean(RateLimits.class);
		RateLimit limit = limits.limit(limitName).orElseThrow();
		return limits.state(limit, key).stream().mapToLong(RateLimitState::remaining).min().orElseThrow();
	}

	private static double failures(ApplicationContext context, String feature) {
		return context.getBean(MeterRegistry.class)
			.get("ai.resource.redis.failures")
			.tag("feature", feature)
			.functionCounter()
			.count();
	}

	private static ChatClient client(ApplicationContext context) {
		return context.getBean(ChatClient.Builder.class).build();
	}

	private static String ask(ChatClient client, String user) {
		return client.prompt()
			.user(QUESTION)
			.options(OpenAiChatOptions.builder().maxTokens(MAX_TOKENS).build())
			.advisors((a) -> a.param(ResourceContextKeys.USER, user))
			.call()
			.content();
	}

	private static String stream(ChatClient client, String user) {
		return String.join("",
				client.prompt()
					.user(QUESTION)
					.options(OpenAiChatOptions.builder().maxTokens(MAX_TOKENS).build())
					.advisors((a) -> a.param(ResourceContextKeys.USER, user))
					.stream()
					.content()
					.collectList()
					.block(Duration.ofSeconds(10)));
	}

}
