package io.github.airesource.autoconfigure.ratelimit;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.autoconfigure.pool.PoolAutoConfiguration;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.ratelimit.RateLimitRejection;
import io.github.airesource.core.ratelimit.RateLimitStatus;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.http.client.HttpClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Provider feedback as an application gets it: the starter, Spring AI's OpenAI
 * auto-configuration and Boot's {@code RestClient}/{@code WebClient} builders, against a
 * loopback model that answers 429 with {@code Retry-After} or exhausted
 * {@code x-ratelimit-*} headers. The server's request count proves which calls reached
 * the model. Holds are timed by a clock the test moves.
 */
class ProviderFeedbackEndToEndTests {

	private static final String QUESTION = "Capital of France?";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final MutableClock clock = MutableClock.atNewYear2026();

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenTheModelAnswers429WithRetryAfterThenFollowingCallsAreRefusedLocallyUntilTheReset() {
		this.server.rateLimited(Duration.ofSeconds(2));
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 5));
		instance().run((context) -> {
			ChatClient client = client(context);
			assertThatThrownBy(() -> ask(client)).as("the provider's 429 reaches the caller")
				.isNotInstanceOf(RateLimitExceededException.class)
				.hasMessageContaining("429");

			assertThatThrownBy(() -> ask(client)).isInstanceOfSatisfying(RateLimitExceededException.class, (ex) -> {
				assertThat(ex.limitName()).isEqualTo(RateLimitAdvisor.PROVIDER_LIMIT);
				assertThat(ex.retryAfter()).contains(Duration.ofSeconds(2));
			});
			assertThatThrownBy(() -> ask(client)).isInstanceOf(RateLimitExceededException.class);
			assertThat(this.server.requestCount()).as("held calls never reach the model").isEqualTo(1);
			assertThat(context.getBean(ProviderHolds.class).current()).singleElement()
				.satisfies((hold) -> assertThat(hold.model()).isEqualTo("gpt-4o-mini"));

			this.clock.advance(Duration.ofSeconds(2));
			assertThat(ask(client)).isEqualTo("Paris.");
			assertThat(this.server.requestCount()).isEqualTo(2);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("ai.resource.calls").tag("outcome", "rejected").counter().count()).isEqualTo(2);
			assertThat(registry.get("ai.resource.rate-limit.rejections")
				.tag("reason", "provider")
				.functionCounter()
				.count()).isEqualTo(2);
			assertThat(registry.get("ai.resource.rate-limit.provider.holds").functionCounter().count()).isEqualTo(1);
		});
	}

	@Test
	void whenTheResetIsWithinMaxWaitThenTheHeldCallWaitsForItAndThenReachesTheModel() {
		this.server.rateLimited(Duration.ofSeconds(1));
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 5));
		instance().withPropertyValues("ai.resource.rate-limit.max-wait=5s").run((context) -> {
			ChatClient client = client(context);
			assertThatThrownBy(() -> ask(client)).hasMessageContaining("429");

			ChatClientResponse response = client.prompt().user(QUESTION).call().chatClientResponse();

			assertThat(response.chatResponse().getResult().getOutput().getText()).isEqualTo("Paris.");
			RateLimitStatus status = (RateLimitStatus) response.context().get(ResourceContextKeys.RATE_LIMIT);
			assertThat(status.waited()).isEqualTo(Duration.ofSeconds(1));
			assertThat(this.server.requestCount()).isEqualTo(2);
			assertThat(context.getBean(MeterRegistry.class)
				.get("ai.resource.limit.wait")
				.tag("kind", "rate-limit")
				.timer()
				.max(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1.0);
		});
	}

	@Test
	void whenAStreamIsAnswered429ThenFollowingStreamsAreRefusedLocally() {
		this.server.rateLimited(Duration.ofSeconds(30));
		instance().run((context) -> {
			ChatClient client = client(context);
			assertThatThrownBy(
					() -> client.prompt().user(QUESTION).stream().content().blockLast(Duration.ofSeconds(10)))
				.isNotInstanceOf(RateLimitExceededException.class);

			assertThatThrownBy(
					() -> client.prompt().user(QUESTION).stream().content().blockLast(Duration.ofSeconds(10)))
				.isInstanceOfSatisfying(RateLimitExceededException.class,
						(ex) -> assertThat(ex.retryAfter()).contains(Duration.ofSeconds(30)));
			assertThat(this.server.requestCount()).isEqualTo(1);
			assertThat(context.getBean(RateLimitAdvisor.class).rejections(RateLimitRejection.PROVIDER)).isEqualTo(1);
		});
	}

	@Test
	void whenTheModelSaysRemainingRequestsAreZeroThenCallsAreHeldUntilItsReset() {
		this.server.replyWithHeaders(OpenAiCompletion.text("Paris.").usage(20, 5), Map.of("x-ratelimit-limit-requests",
				"500", "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "6m0s"));
		this.server.reply(OpenAiCompletion.text("Rome.").usage(20, 5));
		instance().run((context) -> {
			ChatClient client = client(context);
			assertThat(ask(client)).isEqualTo("Paris.");

			assertThatThrownBy(() -> ask(client)).isInstanceOfSatisfying(RateLimitExceededException.class,
					(ex) -> assertThat(ex.retryAfter()).contains(Duration.ofMinutes(6)));
			assertThat(this.server.requestCount()).isEqualTo(1);

			this.clock.advance(Duration.ofMinutes(6));
			assertThat(ask(client)).isEqualTo("Rome.");
		});
	}

	@Test
	void whenAnotherModelIsHeldThenCallsToThisModelGoOn() {
		this.server.rateLimited(Duration.ofSeconds(30));
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 5));
		instance().run((context) -> {
			ChatClient client = client(context);
			assertThatThrownBy(() -> ask(client)).hasMessageContaining("429");

			String answer = client.prompt()
				.user(QUESTION)
				.options(org.springframework.ai.openai.OpenAiChatOptions.builder().model("gpt-4o").build())
				.call()
				.content();

			assertThat(answer).isEqualTo("Paris.");
		});
	}

	@Test
	void whenProviderFeedbackIsOffThenEveryCallReachesTheModel() {
		this.server.rateLimited(Duration.ofSeconds(30));
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 5));
		instance().withPropertyValues("ai.resource.rate-limit.provider-feedback=false").run((context) -> {
			ChatClient client = client(context);
			assertThatThrownBy(() -> ask(client)).hasMessageContaining("429");

			assertThat(ask(client)).isEqualTo("Paris.");
			assertThat(this.server.requestCount()).isEqualTo(2);
		});
	}

	private ApplicationContextRunner instance() {
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withConfiguration(AutoConfigurations.of(HttpMessageConvertersAutoConfiguration.class,
					HttpClientAutoConfiguration.class, RestClientAutoConfiguration.class,
					WebClientAutoConfiguration.class, PoolAutoConfiguration.class))
			.withBean(ProviderHolds.class, () -> new ProviderHolds(this.clock))
			// Over the pooled Apache HttpClient 5, as the starter ships: the pool turns
			// its
			// automatic retries off, so the first 429 reaches the interceptor.
			.withPropertyValues("ai.resource.rate-limit.enabled=true",
					"ai.resource.rate-limit.limits.global-rpm.requests=1000");
	}

	private static ChatClient client(ApplicationContext context) {
		return context.getBean(ChatClient.Builder.class).build();
	}

	private static String ask(ChatClient client) {
		return client.prompt().user(QUESTION).call().content();
	}

}
