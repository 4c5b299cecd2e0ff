package io.github.airesource.autoconfigure.usage;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Usage accounting as an application gets it from the starter: the auto-configured
 * {@link ChatClient.Builder}, the real OpenAI client over HTTP to a loopback server, the
 * {@code aiusage} endpoint and Micrometer meters. No application code besides the call.
 */
class UsageEndToEndTests {

	private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl());

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenCallsAreMadeThenEndpointAndMetersShowExactTokensAndCost() {
		this.server
			.reply(OpenAiCompletion.text("Paris.")
				.model("gpt-4o-2024-08-06")
				.usage(1200, 300)
				.cachedTokens(1000)
				.reasoningTokens(100))
			.reply(OpenAiCompletion.text("Rome.").model("gpt-4o-mini-2024-07-18").usage(400, 50));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			ChatClientResponse first = client.prompt()
				.user("Capital of France?")
				.advisors((a) -> a.param(ResourceContextKeys.USER, "alice").param(ResourceContextKeys.TENANT, "acme"))
				.call()
				.chatClientResponse();
			client.prompt()
				.user("Capital of Italy?")
				.advisors((a) -> a.param(ResourceContextKeys.USER, "bob").param(ResourceContextKeys.TENANT, "acme"))
				.call()
				.content();

			UsageRecord record = (UsageRecord) first.context().get(ResourceContextKeys.USAGE);
			assertThat(record.cost()).isEqualByComparingTo("0.00475");

			UsageDescriptor report = context.getBean(UsageEndpoint.class).usage(null);
			// 0.00475 + gpt-4o-mini 400 * 0.15 + 50 * 0.60 per 1M = 0.00475 + 0.00009
			assertThat(report.global().total().cost()).isEqualByComparingTo("0.00484");
			assertThat(report.global().total().promptTokens()).isEqualTo(1600);
			assertThat(report.global().total().cachedPromptTokens()).isEqualTo(1000);
			assertThat(report.global().total().completionTokens()).isEqualTo(350);
			assertThat(report.global().total().reasoningTokens()).isEqualTo(100);
			assertThat(report.global().lastMinute().calls()).isEqualTo(2);
			assertThat(report.models()).containsOnlyKeys("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18");
			assertThat(report.scopes().get("user").top()).extracting(UsageDescriptor.ScopeDescriptor::id)
				.containsExactly("alice", "bob");
			assertThat(report.scopes().get("tenant").top().get(0).usage().total().calls()).isEqualTo(2);
			UsageDescriptor.SummaryDescriptor alice = context.getBean(UsageEndpoint.class).scope("user", "alice");
			assertThat(alice.total().cost()).isEqualByComparingTo("0.00475");

			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(tokens(meters, "gpt-4o-2024-08-06", "input")).isEqualTo(200);
			assertThat(tokens(meters, "gpt-4o-2024-08-06", "cached_input")).isEqualTo(1000);
			assertThat(tokens(meters, "gpt-4o-2024-08-06", "output")).isEqualTo(200);
			assertThat(tokens(meters, "gpt-4o-2024-08-06", "reasoning")).isEqualTo(100);
			assertThat(meters.get("ai.resource.cost").tag("model", "gpt-4o-2024-08-06").counter().count())
				.isEqualTo(0.00475);
			assertThat(calls(meters, "gpt-4o-mini-2024-07-18", "success")).isEqualTo(1);
		});
	}

	@Test
	void whenStreamCarriesUsageThenItIsCountedOnce() {
		this.server.stream(OpenAiCompletion.text("Par", "is.").usage(60, 4));

		this.runner.run((context) -> {
			List<String> parts = context.getBean(ChatClient.Builder.class)
				.build()
				.prompt()
				.user("Capital of France?")
				.stream()
				.content()
				.collectList()
				.block(Duration.ofSeconds(10));

			assertThat(String.join("", parts)).isEqualTo("Paris.");
			UsageDescriptor.SummaryDescriptor global = context.getBean(UsageEndpoint.class).scope("global", "global");
			assertThat(global.total().promptTokens()).isEqualTo(60);
			assertThat(global.total().completionTokens()).isEqualTo(4);
			// gpt-4o-mini: 60 * 0.15 + 4 * 0.60 per 1M
			assertThat(global.total().cost()).isEqualByComparingTo("0.0000114");
		});
	}

	@Test
	void whenStreamUsageIsOffThenTheStreamIsEstimated() {
		this.server.stream(OpenAiCompletion.text("Par", "is.").withoutUsage());

		this.runner.withPropertyValues("spring.ai.openai.chat.options.stream-usage=false").run((context) -> {
			ChatClientResponse last = context.getBean(ChatClient.Builder.class)
				.build()
				.prompt()
				.user("Capital of France?")
				.stream()
				.chatClientResponse()
				.blockLast(Duration.ofSeconds(10));

			UsageRecord record = (UsageRecord) last.context().get(ResourceContextKeys.USAGE);
			assertThat(record.estimated()).isTrue();
			assertThat(record.promptTokens()).isEqualTo(chatFormatTokens("Capital of France?"));
			assertThat(record.completionTokens()).isEqualTo(O200K.countTokensOrdinary("Paris."));
			assertThat(context.getBean(UsageEndpoint.class).usage(null).global().total().totalTokens())
				.isEqualTo(record.totalTokens());
		});
	}

	@Test
	void whenModelRunsToolsThenTheLoopIsOneCallWithCumulativeUsage() {
		AtomicInteger toolCalls = new AtomicInteger();
		this.server
			.reply(OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}")
				.usage(100, 20))
			.reply(OpenAiCompletion.text("21 degrees.").usage(150, 10));

		this.runner.run((context) -> {
			context.getBean(ChatClient.Builder.class)
				.build()
				.prompt()
				.user("Weather in Paris?")
				.toolCallbacks(TestTools.weather(toolCalls))
				.call()
				.content();

			UsageDescriptor.SummaryDescriptor global = context.getBean(UsageEndpoint.class).scope("global", "global");
			assertThat(toolCalls).hasValue(1);
			assertThat(global.total().calls()).isEqualTo(1);
			assertThat(global.total().promptTokens()).isEqualTo(250);
			assertThat(global.total().completionTokens()).isEqualTo(30);
		});
	}

	@Test
	void whenProviderFailsThenErrorIsCountedWithoutTokens() {
		this.server.fail(500, "The server had an error while processing your request.");

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			assertThatThrownBy(() -> client.prompt().user("Capital of France?").call().content())
				.isInstanceOf(RuntimeException.class);

			UsageDescriptor.SummaryDescriptor global = context.getBean(UsageEndpoint.class).scope("global", "global");
			assertThat(global.total().calls()).isEqualTo(1);
			assertThat(global.total().failedCalls()).isEqualTo(1);
			assertThat(global.total().totalTokens()).isZero();
			assertThat(global.total().cost()).isEqualByComparingTo("0");
			assertThat(calls(context.getBean(MeterRegistry.class), "gpt-4o-mini", "error")).isEqualTo(1);
		});
	}

	@Test
	void whenStreamIsCancelledThenItIsCountedAsCancelledWithWhatWasProduced() {
		this.server.stream(OpenAiCompletion.text("one ", "two ", "three ", "four").usage(40, 4).stallAfter(3));

		this.runner.run((context) -> {
			ChatClientResponse lastReceived = context.getBean(ChatClient.Builder.class)
				.build()
				.prompt()
				.user("Count to four.")
				.stream()
				.chatClientResponse()
				.take(2)
				.blockLast(Duration.ofSeconds(10));

			MeterRegistry meters = context.getBean(MeterRegistry.class);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> calls(meters, "gpt-4o-mini-2024-07-18", "cancelled") == 1);
			UsageDescriptor.SummaryDescriptor global = context.getBean(UsageEndpoint.class).scope("global", "global");
			assertThat(global.total().promptTokens()).isEqualTo(chatFormatTokens("Count to four."));
			// The consumer took the role chunk and "one ". Spring AI's OpenAI stream
			// holds
			// one chunk ("three "), it had passed on "two ", but the usage advisor holds
			// no text, so the consumer cancelled before "two " reached the advisor: what
			// was received is what is billed.
			assertThat(lastReceived.chatResponse().getResult().getOutput().getText()).isEqualTo("one ");
			assertThat(global.total().completionTokens()).isEqualTo(O200K.countTokensOrdinary("one "));
		});
	}

	@Test
	void whenModelHasSentOnlyTheFirstTextThenTheCallerAlreadyHasIt() {
		// Role chunk, "one ", "two ", then a stall: Spring AI's OpenAI stream passes on
		// "one " and holds "two ", and the starter must not hold "one " in turn.
		this.server.stream(OpenAiCompletion.text("one ", "two ", "three").usage(40, 3).stallAfter(2));

		this.runner.run((context) -> {
			String first = context.getBean(ChatClient.Builder.class)
				.build()
				.prompt()
				.user("Count to three.")
				.stream()
				.content()
				.next()
				.block(Duration.ofSeconds(5));

			assertThat(first).isEqualTo("one ");
		});
	}

	/**
	 * Tokens of a one-message prompt in OpenAI's chat format: 3 per message, 1 for the
	 * role, the text, 3 to prime the reply.
	 */
	private static int chatFormatTokens(String userText) {
		return 3 + 1 + O200K.countTokensOrdinary(userText) + 3;
	}

	private static double tokens(MeterRegistry meters, String model, String type) {
		return meters.get("ai.resource.tokens").tags("model", model, "type", type).counter().count();
	}

	private static double calls(MeterRegistry meters, String model, String outcome) {
		return meters.get("ai.resource.calls").tags("model", model, "outcome", outcome).counter().count();
	}

}
