package io.github.airesource.autoconfigure.budget;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
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
 * Budgets in Redis as a fleet gets them: two application contexts sharing one Redis stand
 * for two instances; a Redis of the test's own is stopped and started again mid-run.
 */
class RedisBudgetEndToEndTests {

	private static final String QUESTION = "Capital of France?";

	private static final int MAX_TOKENS = 50;

	private final OpenAiWireServer server = OpenAiWireServer.start();

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
	void whenTwoInstancesRaceOneBudgetThenTheirCombinedSpendNeverExceedsIt() throws Exception {
		int prompt = TokenCounter.create().countPrompt(new Prompt(new UserMessage(QUESTION)), "gpt-4o-mini").total();
		int fits = 12;
		// The model reports exactly what each call reserved, so exactly `fits` calls fit.
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(prompt, MAX_TOKENS));
		ApplicationContextRunner instance = instance(RedisTestSupport.url(), "fail-closed")
			.withPropertyValues("ai.resource.budget.limits.per-user-daily.max-tokens=" + fits * (prompt + MAX_TOKENS));
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
				assertThat(alice.usedTokens()).isEqualTo((long) fits * (prompt + MAX_TOKENS));
				assertThat(alice.reservedTokens()).isZero();
			}
		}));
	}

	@Test
	void whenOneInstanceResetsAKeyThenTheOtherAdmitsItsNextCall() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(300, 50));
		ApplicationContextRunner instance = instance(RedisTestSupport.url(), "fail-closed")
			.withPropertyValues("ai.resource.budget.limits.per-user-daily.max-tokens=400");

		instance.run((first) -> instance.run((second) -> {
			ask(client(first), "alice");
			assertThatThrownBy(() -> ask(client(second), "alice")).isInstanceOf(BudgetExceededException.class);

			first.getBean(BudgetsEndpoint.class).reset("per-user-daily", "alice");

			assertThat(ask(client(second), "alice")).isEqualTo("Paris.");
			assertThat(second.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice").usedTokens())
				.isEqualTo(350);
		}));
	}

	@Test
	void whenRedisStopsThenFailClosedRefusesAndAfterItsRestartCallsGoThroughAgain() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url(), "fail-closed").run((context) -> {
				ChatClient client = client(context);
				ask(client, "alice");

				redis.stop();
				long start = System.nanoTime();
				assertThatThrownBy(() -> ask(client, "alice")).isInstanceOf(StoreUnavailableException.class)
					.hasMessageContaining("fail-closed");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused at once, not after retries")
					.isLessThan(Duration.ofSeconds(5));
				assertThat(this.server.requestCount()).isEqualTo(1);
				assertThat(failures(context)).isPositive();

				redis.restart();
				awaitStoreAnswers(context, client);
				assertThat(this.server.requestCount()).isEqualTo(2);
			});
		}
	}

	@Test
	void whenRedisStopsThenFailOpenLetsCallsThroughAndCountsThemAndAfterItsRestartTheBudgetHoldsAgain() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url(), "fail-open").run((context) -> {
				ChatClient client = client(context);
				ask(client, "alice");

				redis.stop();
				ask(client, "alice");
				ask(client, "alice");
				assertThat(context.getBean(BudgetAdvisor.class).failOpenCalls()).isEqualTo(2);
				assertThat(context.getBean(MeterRegistry.class)
					.get("ai.resource.budget.fail-open")
					.functionCounter()
					.count()).isEqualTo(2);

				redis.restart();
				awaitStoreAnswers(context, client);
				ask(client, "alice");
				// The restarted Redis kept nothing (no persistence): alice's use starts
				// afresh.
				var alice = context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice");
				assertThat(alice.error()).isNull();
				assertThat(alice.usedTokens()).isEqualTo(25);
			});
		}
	}

	/**
	 * Call until the budget store answers again: Lettuce reconnects by itself, and until
	 * it has, calls are refused (fail-closed) or let through unchecked (fail-open) at
	 * once.
	 */
	private static void awaitStoreAnswers(ApplicationContext context, ChatClient client) {
		BudgetAdvisor advisor = context.getBean(BudgetAdvisor.class);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			long failOpen = advisor.failOpenCalls();
			try {
				ask(client, "bob");
				return advisor.failOpenCalls() == failOpen;
			}
			catch (StoreUnavailableException ex) {
				return false;
			}
		});
	}

	private ApplicationContextRunner instance(String redisUrl, String failureMode) {
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withPropertyValues("ai.resource.budget.enabled=true", "ai.resource.budget.store=redis",
					"ai.resource.budget.limits.per-user-daily.max-tokens=100000",
					"ai.resource.redis.key-prefix=" + this.prefix, "ai.resource.redis.failure-mode=" + failureMode,
					"spring.data.redis.url=" + redisUrl, "spring.data.redis.connect-timeout=1s",
					"management.endpoints.web.exposure.include=aibudgets");
	}

	private static double failures(ApplicationContext context) {
		assertThat(context.getBean(RedisBudgetStore.class)).isNotNull();
		return context.getBean(MeterRegistry.class)
			.get("ai.resource.redis.failures")
			.tag("feature", "budget")
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

}
