package io.github.airesource.autoconfigure.concurrency;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencyLimitExceededException;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The concurrency limit as an application gets it from the starter: properties, the
 * auto-configured {@link ChatClient.Builder}, the real OpenAI client over HTTP and the
 * meters.
 */
class ConcurrencyEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final CountDownLatch gate = new CountDownLatch(1);

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withConfiguration(AutoConfigurations.of(ConcurrencyAutoConfiguration.class))
		.withPropertyValues("ai.resource.concurrency.enabled=true", "ai.resource.concurrency.max-concurrent=1",
				"ai.resource.concurrency.max-queue=0");

	@AfterEach
	void stop() {
		this.gate.countDown();
		this.server.close();
	}

	@Test
	void whenTheOnlyPermitIsTakenThenTheNextCallIsRefusedCountedAndMetered() throws Exception {
		this.server.answerEveryRequestWhenOpen(OpenAiCompletion.text("Paris.").usage(20, 2), this.gate);
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			TestThreads.onPlatformThreads(1, (executor) -> {
				Future<String> running = executor.submit(() -> ask(client, "alice"));
				await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requestsInProgress() == 1);
				assertThat(meters.get("ai.resource.concurrency.active").gauge().value()).isEqualTo(1);

				assertThatThrownBy(() -> ask(client, "bob")).isInstanceOfSatisfying(
						ConcurrencyLimitExceededException.class,
						(ex) -> assertThat(ex.limitName()).isEqualTo("max-queue"));

				this.gate.countDown();
				assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("Paris.");
			});
			assertThat(calls(meters, "rejected")).isEqualTo(1);
			assertThat(calls(meters, "success")).isEqualTo(1);
			assertThat(meters.get("ai.resource.limit.wait").tag("kind", "concurrency").timer().count()).isEqualTo(1);
			assertThat(context.getBean(ConcurrencyBulkhead.class).snapshot().rejections().maxQueue()).isEqualTo(1);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> meters.get("ai.resource.concurrency.active").gauge().value() == 0);
		});
	}

	/**
	 * Calls of an outcome, of every model: the answered call is tagged with the model the
	 * provider reported, the refused one with the model it asked for.
	 */
	private static double calls(MeterRegistry meters, String outcome) {
		return meters.find("ai.resource.calls")
			.tag("outcome", outcome)
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

	private static String ask(ChatClient client, String user) {
		return client.prompt()
			.user("What is the capital of France?")
			.advisors((a) -> a.param(ResourceContextKeys.USER, user))
			.call()
			.content();
	}

}
