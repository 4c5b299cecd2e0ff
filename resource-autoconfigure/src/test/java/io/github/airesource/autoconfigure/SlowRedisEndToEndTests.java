package io.github.airesource.autoconfigure;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.airesource.autoconfigure.EndToEndCalls.client;
import static io.github.airesource.autoconfigure.EndToEndCalls.longConversation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A Redis that answers late (a proxy holds its replies back, as an overloaded or
 * partitioned server does) or not at all, under every feature that keeps state there:
 * usage, budgets, rate limits, the response cache and history cuts. Each Redis call is
 * bounded by {@code ai.resource.redis.timeout}; then budgets and rate limits refuse
 * ({@code fail-closed}) or let the call through uncounted ({@code fail-open}), the cache
 * is a miss, history is trimmed without its remembered cut, and usage waits to be
 * written. Through the starter's wiring, the real OpenAI client and HTTP.
 */
class SlowRedisEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofMillis(500);

	private final OpenAiWireServer server = OpenAiWireServer.start()
		.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(40, 5));

	private final TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port());

	private final String prefix = RedisTestSupport.uniquePrefix();

	@AfterEach
	void cleanUp() {
		this.proxy.close();
		this.server.close();
		RedisTestSupport.deleteKeys(this.prefix);
	}

	@Test
	void whenRedisAnswersLateThenFailClosedRefusesWithinTheTimeoutsAndNothingReachesTheModel() {
		runner("fail-closed").run((context) -> {
			ChatClient client = client(context);
			ask(client, "warm-up");
			int requests = this.server.requestCount();

			this.proxy.holdReplies();
			long start = System.nanoTime();
			assertThatThrownBy(() -> ask(client, "What is the capital of France?"))
				.isInstanceOf(StoreUnavailableException.class)
				.hasMessageContaining("fail-closed");

			// The cache lookup and the budget each waited at most the timeout.
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(8));
			assertThat(this.server.requestCount()).isEqualTo(requests);
			assertThat(meter(context, "ai.resource.calls", "outcome", "rejected")).isEqualTo(1);
			assertThat(redisFailures(context, "budget")).isPositive();

			this.proxy.releaseReplies();
			await().atMost(Duration.ofSeconds(30))
				.ignoreException(StoreUnavailableException.class)
				.untilAsserted(() -> assertThat(ask(client, "Are you back?")).isEqualTo("Paris."));
		});
	}

	@Test
	void whenRedisAnswersLateThenFailOpenLetsTheCallThroughAndEveryFeatureGoesOnWithoutIt() {
		runner("fail-open").run((context) -> {
			ChatClient client = client(context);
			ask(client, "warm-up");
			this.server.takeRequest();

			this.proxy.holdReplies();
			String answer = converse(client, "c-slow");

			assertThat(answer).isEqualTo("Paris.");
			assertThat(context.getBean(BudgetAdvisor.class).failOpenCalls()).isEqualTo(1);
			assertThat(context.getBean(MeterRegistry.class)
				.get("ai.resource.rate-limit.fail-open")
				.functionCounter()
				.count()).isEqualTo(1);
			assertThat(redisFailures(context, "cache")).isPositive();
			assertThat(redisFailures(context, "history")).as("the cut could not be read or written").isPositive();
			JsonNode request = this.server.takeRequest();
			assertThat(request.path("messages").size()).as("trimmed all the same").isLessThan(18);
			assertThat(context.getBean(UsageEndpoint.class).usage(null).store().pendingWrites()).isPositive();

			this.proxy.releaseReplies();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(
						() -> assertThat(context.getBean(UsageEndpoint.class).usage(null).store().pendingWrites())
							.isZero());
			assertThat(context.getBean(UsageEndpoint.class).scope("user", "alice").total().calls()).isEqualTo(2);
			assertThat(context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice").usedTokens())
				.as("the warm-up only: the call let through was not reserved")
				.isEqualTo(45);
		});
	}

	@Test
	void whenRedisIsDownThenHistoryIsTrimmedWithoutItsRememberedCutAndOnceBackTheCutIsKeptThere() {
		runner("fail-open")
			.withPropertyValues("ai.resource.budget.enabled=false", "ai.resource.rate-limit.enabled=false")
			.run((context) -> {
				ChatClient client = client(context);
				ask(client, "warm-up");
				this.server.takeRequest();

				this.proxy.cut();
				converse(client, "c-down");

				assertThat(this.server.takeRequest().path("messages").size()).isLessThan(18);
				assertThat(redisFailures(context, "history")).isPositive();
				assertThat(RedisTestSupport.keysWithTtl(this.prefix))
					.noneMatch((key) -> key.key().startsWith(this.prefix + "history:"));

				this.proxy.restore();
				// Lettuce reconnects by itself; until it has, calls go on without the
				// cut.
				await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
					converse(client, "c-down");
					return RedisTestSupport.keysWithTtl(this.prefix)
						.stream()
						.anyMatch((key) -> key.key().startsWith(this.prefix + "history:")
								&& key.key().contains("c-down") && key.ttlMillis() > 0);
				});
			});
	}

	private ApplicationContextRunner runner(String failureMode) {
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withPropertyValues("management.endpoints.web.exposure.include=aiusage,aibudgets",
					"spring.data.redis.url=redis://" + RedisTestSupport.host() + ":" + this.proxy.port(),
					"spring.data.redis.connect-timeout=1s", "ai.resource.redis.key-prefix=" + this.prefix,
					"ai.resource.redis.timeout=" + TIMEOUT.toMillis() + "ms",
					"ai.resource.redis.failure-mode=" + failureMode, "ai.resource.usage.store=redis",
					"ai.resource.budget.enabled=true", "ai.resource.budget.store=redis",
					"ai.resource.budget.limits.per-user-daily.scope=user",
					"ai.resource.budget.limits.per-user-daily.max-tokens=100000", "ai.resource.rate-limit.enabled=true",
					"ai.resource.rate-limit.store=redis", "ai.resource.rate-limit.limits.user-rpd.scope=user",
					"ai.resource.rate-limit.limits.user-rpd.requests=100",
					"ai.resource.rate-limit.limits.user-rpd.period=30d", "ai.resource.cache.response.enabled=true",
					"ai.resource.cache.response.store=redis", "ai.resource.history.enabled=true",
					"ai.resource.history.max-tokens=300");
	}

	private static String converse(ChatClient client, String conversation) {
		return client.prompt()
			.messages(longConversation())
			.user("And on Monday?")
			.options(OpenAiChatOptions.builder().temperature(0.0).build())
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice").param(ChatMemory.CONVERSATION_ID, conversation))
			.call()
			.content();
	}

	private static String ask(ChatClient client, String question) {
		return client.prompt()
			.user(question)
			.options(OpenAiChatOptions.builder().temperature(0.0).build())
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
			.call()
			.content();
	}

	private static double redisFailures(ApplicationContext context, String feature) {
		return meter(context, "ai.resource.redis.failures", "feature", feature);
	}

	private static double meter(ApplicationContext context, String name, String tag, String value) {
		MeterRegistry meters = context.getBean(MeterRegistry.class);
		return meters.get(name)
			.tag(tag, value)
			.meters()
			.stream()
			.mapToDouble((meter) -> meter.measure().iterator().next().getValue())
			.sum();
	}

}
