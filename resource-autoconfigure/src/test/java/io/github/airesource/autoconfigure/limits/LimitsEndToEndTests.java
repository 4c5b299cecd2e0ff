package io.github.airesource.autoconfigure.limits;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.limits.LimitsDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.DimensionStateDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.RateLimitDescriptor;
import io.github.airesource.actuate.limits.LimitsDescriptor.RejectionDescriptor;
import io.github.airesource.actuate.limits.LimitsEndpoint;
import io.github.airesource.actuate.limits.LimitsHealthIndicator;
import io.github.airesource.actuate.limits.RateLimitKeyDescriptor;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.autoconfigure.concurrency.ConcurrencyAutoConfiguration;
import io.github.airesource.autoconfigure.guard.GuardAutoConfiguration;
import io.github.airesource.autoconfigure.pool.ConnectionPoolStats;
import io.github.airesource.autoconfigure.pool.PoolAutoConfiguration;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.http.client.HttpClientAutoConfiguration;
import org.springframework.boot.autoconfigure.http.client.reactive.ClientHttpConnectorAutoConfiguration;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The {@code ailimits} endpoint and health contributor as an application gets them: rate
 * limits, the concurrency limit, the prompt guard and the connection pools from
 * properties, the auto-configured {@link ChatClient.Builder} and the real OpenAI client
 * over HTTP. Limits have a period of a day, so that what flows back during a test is less
 * than one request or token.
 */
class LimitsEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withConfiguration(AutoConfigurations.of(ConcurrencyAutoConfiguration.class, GuardAutoConfiguration.class,
				PoolAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
				HttpClientAutoConfiguration.class, RestClientAutoConfiguration.class,
				ClientHttpConnectorAutoConfiguration.class, WebClientAutoConfiguration.class,
				LimitsEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=ailimits", "ai.resource.rate-limit.enabled=true",
				"ai.resource.rate-limit.default-output-reservation=100",
				"ai.resource.rate-limit.limits.global-rpd.requests=3",
				"ai.resource.rate-limit.limits.global-rpd.period=1d",
				"ai.resource.rate-limit.limits.global-cost.cost=5.00",
				"ai.resource.rate-limit.limits.global-cost.period=1d",
				"ai.resource.rate-limit.limits.global-cost.models=gpt-4o-mini",
				"ai.resource.rate-limit.limits.user-tpd.scope=user",
				"ai.resource.rate-limit.limits.user-tpd.tokens=10000",
				"ai.resource.rate-limit.limits.user-tpd.period=1d", "ai.resource.concurrency.enabled=true",
				"ai.resource.concurrency.max-concurrent=4", "ai.resource.concurrency.max-queue=8",
				"ai.resource.concurrency.reserved-for-high=1", "ai.resource.concurrency.per-user=2",
				"ai.resource.guard.max-prompt-tokens=50");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenCallsGoThroughAndAreRefusedThenTheReportShowsEveryLimitTheBulkheadThePoolsAndTheRejections() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(200, 100));

		this.runner.run((context) -> {
			ChatClient client = client(context);
			ask(client, "alice", "Capital of France?");
			ask(client, "alice", "Capital of France?");
			assertThatThrownBy(() -> ask(client, "bob", "Tell me about Paris. ".repeat(30)))
				.isInstanceOf(PromptTooLargeException.class);
			ask(client, "bob", "Capital of France?");
			assertThatThrownBy(() -> ask(client, "bob", "Capital of France?"))
				.isInstanceOf(RateLimitExceededException.class);

			LimitsDescriptor report = endpoint(context).limits();

			assertThat(this.server.requestCount()).isEqualTo(3);
			assertThat(report.rateLimits().store().type()).isEqualTo("memory");
			assertThat(report.rateLimits().store().available()).isTrue();
			assertThat(report.rateLimits().limits()).extracting(RateLimitDescriptor::name)
				.containsExactly("global-rpd", "global-cost", "user-tpd");
			RateLimitDescriptor requests = report.rateLimits().limits().get(0);
			assertThat(requests.scope()).isEqualTo("global");
			assertThat(requests.period()).isEqualTo(Duration.ofDays(1));
			assertThat(requests.requests()).isEqualTo(3);
			assertThat(requests.state()).singleElement().satisfies((state) -> {
				assertThat(state.dimension()).isEqualTo("requests");
				assertThat(state.capacity()).isEqualByComparingTo("3");
				assertThat(state.remaining()).isEqualByComparingTo("0");
				assertThat(state.resetAfter()).isPositive();
				assertThat(state.resetsAt()).isAfter(java.time.Instant.now());
			});
			RateLimitDescriptor cost = report.rateLimits().limits().get(1);
			assertThat(cost.cost()).isEqualByComparingTo("5");
			assertThat(cost.models()).containsExactly("gpt-4o-mini");
			assertThat(cost.state()).singleElement().satisfies((state) -> {
				assertThat(state.dimension()).isEqualTo("cost");
				assertThat(state.capacity()).isEqualTo(new BigDecimal("5"));
				assertThat(state.remaining()).isLessThan(state.capacity());
			});
			RateLimitDescriptor perUser = report.rateLimits().limits().get(2);
			assertThat(perUser.state()).as("only global limits are read for the report").isNull();
			assertThat(perUser.keyLookup()).isEqualTo("ailimits/user-tpd/{key}");
			assertThat(perUser.tokens()).isEqualTo(10000);
			assertThat(report.concurrency()).satisfies((bulkhead) -> {
				assertThat(bulkhead.active()).isZero();
				assertThat(bulkhead.max()).isEqualTo(4);
				assertThat(bulkhead.available()).isEqualTo(4);
				assertThat(bulkhead.maxQueue()).isEqualTo(8);
				assertThat(bulkhead.reservedForHigh()).isEqualTo(1);
				assertThat(bulkhead.queued().total()).isZero();
				assertThat(bulkhead.perUser().cap()).isEqualTo(2);
				assertThat(bulkhead.perTenant().cap()).isZero();
			});
			assertThat(report.connectionPools()).anySatisfy((pool) -> {
				assertThat(pool.client()).isEqualTo(ConnectionPoolStats.HTTP_COMPONENTS);
				assertThat(pool.leased()).isZero();
				assertThat(pool.available()).isEqualTo(1);
				assertThat(pool.pending()).isZero();
				assertThat(pool.maxConnections()).isPositive();
			});
			assertThat(rejection(report, "rate-limit", "limit")).satisfies((refused) -> {
				assertThat(refused.count()).isEqualTo(1);
				assertThat(refused.last()).isNotNull();
			});
			assertThat(rejection(report, "guard", "max-prompt-tokens").count()).isEqualTo(1);
			assertThat(rejection(report, "rate-limit", "provider").last()).isNull();
			assertThat(rejection(report, "concurrency", "max-queue").count()).isZero();
			assertThat(report.providerHolds()).isEmpty();
		});
	}

	@Test
	void whenAKeyIsLookedUpThenItsStateIsShownAndAnUnknownLimitIsNotFound() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(200, 100));

		this.runner.run((context) -> {
			ChatClient client = client(context);
			ask(client, "alice", "Capital of France?");
			ask(client, "alice", "Capital of France?");

			RateLimitKeyDescriptor alice = endpoint(context).key("user-tpd", "alice");
			RateLimitKeyDescriptor carol = endpoint(context).key("user-tpd", "carol");

			assertThat(alice.scope()).isEqualTo("user");
			assertThat(alice.error()).isNull();
			assertThat(alice.state()).singleElement().satisfies((state) -> {
				assertThat(state.dimension()).isEqualTo("tokens");
				assertThat(state.capacity()).isEqualByComparingTo("10000");
				// Two calls of 300 tokens each; a day's period gives back ~0.1 token/s.
				assertThat(state.remaining().doubleValue()).isCloseTo(9400, within(2.0));
			});
			assertThat(carol.state()).singleElement().satisfies((state) -> {
				assertThat(state.remaining()).isEqualByComparingTo("10000");
				assertThat(state.resetAfter()).isZero();
			});
			assertThat(endpoint(context).key("global-rpd", "global").state())
				.extracting(DimensionStateDescriptor::remaining)
				.containsExactly(BigDecimal.ONE);
			assertThat(endpoint(context).key("no-such-limit", "alice")).isNull();
		});
	}

	@Test
	void whenAGlobalLimitIsUsedUpThenHealthIsRateLimitedWithoutGoingDown() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));

		this.runner.run((context) -> {
			ChatClient client = client(context);
			LimitsHealthIndicator health = context.getBean(LimitsHealthIndicator.class);
			assertThat(health.health().getStatus().getCode()).isEqualTo("UP");

			ask(client, "alice", "Capital of France?");
			ask(client, "bob", "Capital of France?");
			assertThat(health.health().getStatus().getCode()).isEqualTo("UP");

			ask(client, "carol", "Capital of France?");
			Health limited = health.health();
			assertThat(limited.getStatus().getCode()).isEqualTo(LimitsHealthIndicator.RATE_LIMITED);
			assertThat(limited.getDetails().get("saturated")).asList()
				.singleElement()
				.isInstanceOfSatisfying(LimitsHealthIndicator.SaturatedLimit.class, (saturated) -> {
					assertThat(saturated.limit()).isEqualTo("global-rpd");
					assertThat(saturated.dimension()).isEqualTo("requests");
				});
			assertThat(limited.getDetails().get("concurrency"))
				.isEqualTo(new LimitsHealthIndicator.ConcurrencyDetail(0, 4, 0));
		});
	}

	@Test
	void whenAProviderHoldsCallsThenHealthIsRateLimitedAndTheReportShowsTheHold() {
		this.runner.run((context) -> {
			context.getBean(ProviderHolds.class).hold("gpt-4o-mini", Duration.ofMinutes(5), "429 Retry-After: 300");

			Health health = context.getBean(LimitsHealthIndicator.class).health();
			LimitsDescriptor report = endpoint(context).limits();

			assertThat(health.getStatus().getCode()).isEqualTo(LimitsHealthIndicator.RATE_LIMITED);
			assertThat(health.getDetails().get("saturated")).asList().isEmpty();
			assertThat(report.providerHolds()).singleElement().satisfies((hold) -> {
				assertThat(hold.model()).isEqualTo("gpt-4o-mini");
				assertThat(hold.reason()).isEqualTo("429 Retry-After: 300");
				assertThat(hold.until()).isAfter(java.time.Instant.now().plusSeconds(200));
			});
		});
	}

	private static RejectionDescriptor rejection(LimitsDescriptor report, String source, String reason) {
		List<RejectionDescriptor> found = report.rejections()
			.stream()
			.filter((rejection) -> rejection.source().equals(source) && rejection.reason().equals(reason))
			.toList();
		assertThat(found).hasSize(1);
		return found.get(0);
	}

	private static ChatClient client(ApplicationContext context) {
		return context.getBean(ChatClient.Builder.class).build();
	}

	private static String ask(ChatClient client, String user, String question) {
		return client.prompt().user(question).advisors((a) -> a.param(ResourceContextKeys.USER, user)).call().content();
	}

	private static LimitsEndpoint endpoint(ApplicationContext context) {
		return context.getBean(LimitsEndpoint.class);
	}

}
