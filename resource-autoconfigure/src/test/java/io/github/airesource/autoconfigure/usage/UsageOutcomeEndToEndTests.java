package io.github.airesource.autoconfigure.usage;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How calls that do not simply succeed are recorded, through the starter's wiring, the
 * real OpenAI client and HTTP: a limit that refuses the call, a provider that answers
 * 429, a slow provider.
 */
class UsageOutcomeEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl());

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenALimitInsideTheChainRefusesTheCallThenItIsRecordedAsRejectedAndNeverReachesTheModel() {
		ResourceLimitException refusal = new ResourceLimitException("Too many calls", "test-limit", ScopeType.USER,
				Duration.ofSeconds(3));
		CallAdvisor refusing = new CallAdvisor() {

			@Override
			public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
				throw refusal;
			}

			@Override
			public String getName() {
				return "refusing";
			}

			@Override
			public int getOrder() {
				// Inside the usage advisor, where the timeout and provider feedback sit.
				return ResourceAdvisorOrder.USAGE + 20;
			}

		};

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).defaultAdvisors(refusing).build();

			assertThatThrownBy(() -> client.prompt()
				.user("Capital of France?")
				.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
				.call()
				.content()).isSameAs(refusal);

			assertThat(this.server.requestCount()).isZero();
			assertThat(calls(context, "gpt-4o-mini", "rejected")).isEqualTo(1);
			UsageDescriptor.TotalsDescriptor alice = endpoint(context).scope("user", "alice").total();
			assertThat(alice.calls()).isEqualTo(1);
			assertThat(alice.failedCalls()).isEqualTo(1);
			assertThat(alice.totalTokens()).isZero();
		});
	}

	@Test
	void whenTheProviderAnswers429ThenTheCallIsAnErrorWithoutTokensOrCost() {
		this.server.rateLimited(Duration.ofSeconds(7));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			assertThatThrownBy(() -> client.prompt().user("Capital of France?").call().content())
				.isInstanceOf(RuntimeException.class);

			assertThat(this.server.requestCount()).isEqualTo(1);
			assertThat(calls(context, "gpt-4o-mini", "error")).isEqualTo(1);
			UsageDescriptor.TotalsDescriptor global = endpoint(context).scope("global", "global").total();
			assertThat(global.failedCalls()).isEqualTo(1);
			assertThat(global.totalTokens()).isZero();
			assertThat(global.cost()).isEqualByComparingTo("0");
		});
	}

	@Test
	void whenTheProviderIsSlowThenTheCallSucceedsAndItsLatencyIsRecorded() {
		this.server.replySlowly(OpenAiCompletion.text("Paris.").usage(100, 10), Duration.ofMillis(1500));

		this.runner.run((context) -> {
			ChatClientResponse response = context.getBean(ChatClient.Builder.class)
				.build()
				.prompt()
				.user("Capital of France?")
				.call()
				.chatClientResponse();

			UsageRecord record = (UsageRecord) response.context().get(ResourceContextKeys.USAGE);
			assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			assertThat(record.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
			assertThat(record.promptTokens()).isEqualTo(100);
		});
	}

	@Test
	void whenAStreamIsSlowThenEveryChunkArrivesAndTheStreamIsCountedOnce() {
		this.server.stream(OpenAiCompletion.text("Par", "is", ".").usage(60, 4).chunkDelay(Duration.ofMillis(300)));

		this.runner.run((context) -> {
			ChatClientResponse last = context.getBean(ChatClient.Builder.class)
				.build()
				.prompt()
				.user("Capital of France?")
				.stream()
				.chatClientResponse()
				.blockLast(Duration.ofSeconds(20));

			UsageRecord record = (UsageRecord) last.context().get(ResourceContextKeys.USAGE);
			assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			assertThat(record.completionTokens()).isEqualTo(4);
			assertThat(record.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
			assertThat(endpoint(context).scope("global", "global").total().calls()).isEqualTo(1);
		});
	}

	private static UsageEndpoint endpoint(ApplicationContext context) {
		return context.getBean(UsageEndpoint.class);
	}

	private static double calls(ApplicationContext context, String model, String outcome) {
		return context.getBean(MeterRegistry.class)
			.get("ai.resource.calls")
			.tags("model", model, "outcome", outcome)
			.counter()
			.count();
	}

}
