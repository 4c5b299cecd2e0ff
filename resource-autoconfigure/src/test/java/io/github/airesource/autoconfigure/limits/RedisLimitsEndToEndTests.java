package io.github.airesource.autoconfigure.limits;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.limits.LimitsDescriptor;
import io.github.airesource.actuate.limits.LimitsEndpoint;
import io.github.airesource.actuate.limits.LimitsHealthIndicator;
import io.github.airesource.actuate.limits.RateLimitKeyDescriptor;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.autoconfigure.concurrency.ConcurrencyAutoConfiguration;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisServerProcess;
import io.github.airesource.testsupport.RedisTestSupport;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code ailimits} endpoint and health contributor with rate limits in Redis, on a
 * Redis of the test's own that is stopped mid-run: the report shows the store as
 * unavailable instead of failing, and health never goes {@code DOWN}.
 */
class RedisLimitsEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final String prefix = RedisTestSupport.uniquePrefix();

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenRedisStopsThenTheReportShowsTheStoreUnavailableHealthIsUnknownNotDownAndBothRecover() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url()).run((context) -> {
				ask(client(context), "alice");
				LimitsEndpoint endpoint = context.getBean(LimitsEndpoint.class);
				LimitsHealthIndicator health = context.getBean(LimitsHealthIndicator.class);
				assertThat(endpoint.limits().rateLimits().store().available()).isTrue();
				assertThat(endpoint.limits().rateLimits().store().type()).isEqualTo("redis");

				redis.stop();
				LimitsDescriptor report = endpoint.limits();
				RateLimitKeyDescriptor alice = endpoint.key("user-rpd", "alice");
				Health unreachable = health.health();

				assertThat(report.rateLimits().store().available()).isFalse();
				assertThat(report.rateLimits().store().error()).isNotBlank();
				assertThat(report.rateLimits().limits()).filteredOn((limit) -> limit.scope().equals("global"))
					.hasSize(2)
					.allSatisfy((limit) -> {
						assertThat(limit.error()).isNotBlank();
						assertThat(limit.state()).isNull();
					});
				assertThat(report.concurrency()).as("the rest of the report is still there").isNotNull();
				assertThat(alice.state()).isEmpty();
				assertThat(alice.error()).isNotBlank();
				assertThat(unreachable.getStatus()).isEqualTo(Status.UNKNOWN);
				assertThat(unreachable.getDetails()).containsKeys("error", "concurrency");

				context.getBean(ProviderHolds.class).hold("gpt-4o-mini", Duration.ofMinutes(1), "429 Retry-After: 60");
				assertThat(health.health().getStatus().getCode()).as("a hold is known without the store")
					.isEqualTo(LimitsHealthIndicator.RATE_LIMITED);

				redis.restart();
				// Lettuce reconnects by itself, in its own time.
				await().atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> Boolean.TRUE.equals(endpoint.limits().rateLimits().store().available()));
				assertThat(endpoint.key("user-rpd", "alice").state()).singleElement()
					.satisfies((state) -> assertThat(state.capacity()).isEqualByComparingTo("100"));
			});
		}
	}

	private ApplicationContextRunner instance(String redisUrl) {
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withConfiguration(
					AutoConfigurations.of(ConcurrencyAutoConfiguration.class, LimitsEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=ailimits",
					"ai.resource.rate-limit.enabled=true", "ai.resource.rate-limit.store=redis",
					"ai.resource.rate-limit.limits.global-rpd.requests=100000",
					"ai.resource.rate-limit.limits.global-rpd.period=1d",
					"ai.resource.rate-limit.limits.global-tpd.tokens=10000000",
					"ai.resource.rate-limit.limits.global-tpd.period=1d",
					"ai.resource.rate-limit.limits.user-rpd.scope=user",
					"ai.resource.rate-limit.limits.user-rpd.requests=100",
					"ai.resource.rate-limit.limits.user-rpd.period=1d", "ai.resource.concurrency.enabled=true",
					"ai.resource.redis.key-prefix=" + this.prefix, "spring.data.redis.url=" + redisUrl,
					"spring.data.redis.connect-timeout=1s",
					// Above the first call's script loading on a busy machine.
					"ai.resource.redis.timeout=2s");
	}

	private static ChatClient client(ApplicationContext context) {
		return context.getBean(ChatClient.Builder.class).build();
	}

	private static String ask(ChatClient client, String user) {
		return client.prompt()
			.user("Capital of France?")
			.advisors((a) -> a.param(ResourceContextKeys.USER, user))
			.call()
			.content();
	}

}
