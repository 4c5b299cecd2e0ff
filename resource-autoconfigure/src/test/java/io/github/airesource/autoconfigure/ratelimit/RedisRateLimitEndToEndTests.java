package io.github.airesource.autoconfigure.ratelimit;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.ratelimit.RateLimits;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisServerProcess;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Rate limits in Redis as a fleet gets them: two application contexts sharing one Redis
 * stand for two instances; a Redis of the test's own is stopped and started again
 * mid-run. Limits here have a period of a day, so that what flows back during a test is
 * less than one request.
 */
class RedisRateLimitEndToEndTests {

	private static final String QUESTION = "Capital of France?";

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
	void whenTwoInstancesRaceOneLimitThenTheirCombinedAdmissionsNeverExceedIt() throws Exception {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ApplicationContextRunner instance = instance(RedisTestSupport.url(), "fail-closed").withPropertyValues(
				"ai.resource.rate-limit.limits.tenant-rpd.scope=tenant",
				"ai.resource.rate-limit.limits.tenant-rpd.requests=12");

		instance.run((first) -> instance.run((second) -> {
			ChatClient[] clients = { client(first), client(second) };
			for (ChatClient client : clients) {
				// Connected before the race: the race is about the limit, not a cold
				// start.
				ask(client, "warm-up");
			}
			int succeeded = TestThreads.race(32, (thread) -> () -> {
				try {
					ask(clients[thread % 2], "acme");
					return true;
				}
				catch (RateLimitExceededException ex) {
					return false;
				}
			});

			assertThat(succeeded).isEqualTo(12);
			assertThat(this.server.requestCount()).isEqualTo(12 + 2);
			// Each instance reads the other's settlements, sent as its calls returned.
			ResourceAutoConfigurations.awaitSentToRedis(first);
			ResourceAutoConfigurations.awaitSentToRedis(second);
			for (ApplicationContext context : List.of(first, second)) {
				RateLimits limits = context.getBean(RateLimits.class);
				RateLimit limit = limits.limit("tenant-rpd").orElseThrow();
				assertThat(limits.state(limit, "acme")).singleElement()
					.satisfies((state) -> assertThat(state.remaining()).isZero());
			}
		}));
	}

	@Test
	void whenRedisStopsThenFailClosedRefusesWithinTheTimeoutAndAfterItsRestartCallsGoThroughAgain() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url(), "fail-closed").run((context) -> {
				ChatClient client = client(context);
				ask(client, "acme");

				redis.stop();
				long start = System.nanoTime();
				assertThatThrownBy(() -> ask(client, "acme")).isInstanceOf(StoreUnavailableException.class)
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
	void whenRedisStopsThenFailOpenLetsCallsThroughAndCountsThemAndAfterItsRestartTheLimitHoldsAgain() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url(), "fail-open").withPropertyValues("ai.resource.rate-limit.limits.tenant-rpd.requests=3")
				.run((context) -> {
					ChatClient client = client(context);
					ask(client, "acme");

					redis.stop();
					ask(client, "acme");
					ask(client, "acme");
					assertThat(context.getBean(RateLimitAdvisor.class).failOpenCalls()).isEqualTo(2);
					assertThat(context.getBean(MeterRegistry.class)
						.get("ai.resource.rate-limit.fail-open")
						.functionCounter()
						.count()).isEqualTo(2);

					redis.restart();
					awaitStoreAnswers(context, client);
					// The restarted Redis kept nothing (no persistence): acme starts
					// afresh.
					ask(client, "acme");
					ask(client, "acme");
					ask(client, "acme");
					assertThatThrownBy(() -> ask(client, "acme")).isInstanceOf(RateLimitExceededException.class);
				});
		}
	}

	/**
	 * Call until the store answers again: Lettuce reconnects by itself, and until it has,
	 * calls are refused (fail-closed) or let through unchecked (fail-open) at once.
	 */
	private static void awaitStoreAnswers(ApplicationContext context, ChatClient client) {
		RateLimitAdvisor advisor = context.getBean(RateLimitAdvisor.class);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			long failOpen = advisor.failOpenCalls();
			try {
				ask(client, "probe");
				return advisor.failOpenCalls() == failOpen;
			}
			catch (StoreUnavailableException ex) {
				return false;
			}
		});
	}

	private ApplicationContextRunner instance(String redisUrl, String failureMode) {
		// The global limit counts every call, the probes of awaitStoreAnswers too; the
		// tenant limit only the tenant's.
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withPropertyValues("ai.resource.rate-limit.enabled=true", "ai.resource.rate-limit.store=redis",
					"ai.resource.rate-limit.limits.global-rpd.requests=100000",
					"ai.resource.rate-limit.limits.global-rpd.period=1d",
					"ai.resource.rate-limit.limits.tenant-rpd.scope=tenant",
					"ai.resource.rate-limit.limits.tenant-rpd.period=1d",
					"ai.resource.rate-limit.limits.tenant-rpd.requests=100000",
					"ai.resource.redis.key-prefix=" + this.prefix, "ai.resource.redis.failure-mode=" + failureMode,
					"spring.data.redis.url=" + redisUrl, "spring.data.redis.connect-timeout=1s");
	}

	private static double failures(ApplicationContext context) {
		assertThat(context.getBean(RedisRateLimitStore.class)).isNotNull();
		return context.getBean(MeterRegistry.class)
			.get("ai.resource.redis.failures")
			.tag("feature", "ratelimit")
			.functionCounter()
			.count();
	}

	private static ChatClient client(ApplicationContext context) {
		return context.getBean(ChatClient.Builder.class).build();
	}

	private static String ask(ChatClient client, String tenant) {
		return client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant))
			.call()
			.content();
	}

}
