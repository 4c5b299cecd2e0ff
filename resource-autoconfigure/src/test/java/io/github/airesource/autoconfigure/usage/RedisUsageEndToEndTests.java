package io.github.airesource.autoconfigure.usage;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.TokenUsage;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.redis.RedisUsageLedger;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fleet-wide usage: two application contexts sharing one Redis stand for two instances of
 * a service; the {@code aiusage} endpoint of either shows the calls of both.
 */
class RedisUsageEndToEndTests {

	/**
	 * Calls recorded just before shutdown: enough to keep the writer busy for a while.
	 */
	private static final int CALLS = 5_000;

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
	void whenTwoInstancesShareRedisThenEitherShowsTheFleetTotals() {
		this.server.reply(OpenAiCompletion.text("Paris.").model("gpt-4o-2024-08-06").usage(100, 10))
			.reply(OpenAiCompletion.text("Rome.").model("gpt-4o-2024-08-06").usage(200, 20))
			.reply(OpenAiCompletion.text("Oslo.").model("gpt-4o-mini-2024-07-18").usage(1000, 100));
		ApplicationContextRunner instance = instance(RedisTestSupport.url());

		instance.run((first) -> instance.run((second) -> {
			ask(first, "alice", "Capital of France?");
			ask(second, "bob", "Capital of Italy?");
			ask(second, "alice", "Capital of Norway?");

			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(report(first).global().total().calls()).isEqualTo(3));
			UsageDescriptor fromFirst = report(first);
			UsageDescriptor fromSecond = report(second);
			assertThat(fromFirst.store().type()).isEqualTo("redis");
			assertThat(fromFirst.store().fleetWide()).isTrue();
			assertThat(fromFirst.global()).isEqualTo(fromSecond.global());
			assertThat(fromFirst.global().total().promptTokens()).isEqualTo(1300);
			// gpt-4o: 300 * 2.50 + 30 * 10.00; gpt-4o-mini: 1000 * 0.15 + 100 * 0.60; per
			// 1M
			assertThat(fromFirst.global().total().cost()).isEqualByComparingTo("0.00126");
			// bob: 0.00070 on gpt-4o; alice: 0.00035 on gpt-4o + 0.00021 on gpt-4o-mini
			assertThat(fromSecond.scopes().get("user").top()).extracting(UsageDescriptor.ScopeDescriptor::id)
				.containsExactly("bob", "alice");
			assertThat(context(second).scope("user", "alice").total().calls()).isEqualTo(2);
		}));
	}

	@Test
	void whenRedisIsDownThenCallsSucceedAndTheEndpointShowsLocalFiguresAsDegraded() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(100, 10));
		try (TcpProxy redis = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			redis.cut();

			instance("redis://127.0.0.1:" + redis.port()).run((context) -> {
				String answer = ask(context, "alice", "Capital of France?");

				assertThat(answer).isEqualTo("Paris.");
				await().atMost(Duration.ofSeconds(15))
					.until(() -> context.getBean(RedisUsageLedger.class).failedOperations() > 0);
				UsageDescriptor report = report(context);
				assertThat(report.store().degraded()).isTrue();
				assertThat(report.store().fleetWide()).isFalse();
				assertThat(report.global().total().promptTokens()).isEqualTo(100);
				assertThat(context.getBean(MeterRegistry.class)
					.get("ai.resource.redis.failures")
					.tag("feature", "usage")
					.functionCounter()
					.count()).isPositive();
			});
		}
	}

	@Test
	void whenTheContextClosesThenCallsRecordedJustBeforeReachRedis() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Yes.").usage(10, 1));
		AtomicReference<RedisUsageLedger> ledger = new AtomicReference<>();

		instance(RedisTestSupport.url()).run((context) -> {
			ledger.set(context.getBean(RedisUsageLedger.class));
			ask(context, "user-0", "Ready?");
			// A burst just before shutdown, as calls finishing while the server drains.
			UsageRecorder recorder = context.getBean(UsageRecorder.class);
			for (int i = 1; i < CALLS; i++) {
				recorder.record(new TokenUsage("gpt-4o-mini", 10, 0, 1, 0, false), Duration.ofMillis(5),
						CallOutcome.SUCCESS, CallScope.of("acme", "user-" + i, null));
			}
			assertThat(ledger.get().pendingWrites()).as("still queued when the context closes").isPositive();
		});

		assertThat(ledger.get().failedWrites()).isZero();
		assertThat(ledger.get().unknownWrites()).isZero();
		assertThat(ledger.get().writtenCalls()).isEqualTo(CALLS);
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory();
		try (RedisUsageLedger reader = new RedisUsageLedger(
				new ResourceRedis(factory, this.prefix, Duration.ofSeconds(2)),
				new InMemoryUsageLedger(10, Clock.systemUTC()), Clock.systemUTC(), Duration.ofDays(1), CALLS)) {
			assertThat(reader.report(1).global().total().calls()).isEqualTo(CALLS);
			assertThat(reader.report(1).scopes().get("user").tracked()).isEqualTo(CALLS);
		}
		finally {
			factory.destroy();
		}
	}

	@Test
	void whenCallsAreWrittenThenWriteOutcomesAreMetered() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(100, 10));

		instance(RedisTestSupport.url()).run((context) -> {
			ask(context, "alice", "Capital of France?");

			MeterRegistry meters = context.getBean(MeterRegistry.class);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(meters.get("ai.resource.usage.redis.writes")
					.tag("outcome", "written")
					.functionCounter()
					.count()).isEqualTo(1));
			assertThat(meters.get("ai.resource.usage.redis.writes").tag("outcome", "failed").functionCounter().count())
				.isZero();
			assertThat(meters.get("ai.resource.usage.redis.pending").gauge().value()).isZero();
		});
	}

	private ApplicationContextRunner instance(String redisUrl) {
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withPropertyValues("ai.resource.usage.store=redis", "ai.resource.redis.key-prefix=" + this.prefix,
					"spring.data.redis.url=" + redisUrl, "spring.data.redis.connect-timeout=1s",
					"ai.resource.usage.max-tracked-scopes=" + CALLS);
	}

	private static String ask(ApplicationContext context, String user, String question) {
		return context.getBean(ChatClient.Builder.class)
			.build()
			.prompt()
			.user(question)
			.advisors((a) -> a.param(ResourceContextKeys.USER, user))
			.call()
			.content();
	}

	private static UsageDescriptor report(ApplicationContext context) {
		return context(context).usage(null);
	}

	private static UsageEndpoint context(ApplicationContext context) {
		return context.getBean(UsageEndpoint.class);
	}

}
