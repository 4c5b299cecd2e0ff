package io.github.airesource.autoconfigure;

import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.actuate.cache.CachesDescriptor.CacheDescriptor;
import io.github.airesource.actuate.cache.CachesEndpoint;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.airesource.autoconfigure.EndToEndCalls.usageOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tool that returns five megabytes, as a report or a file read whole would: the model
 * gets it whole, the call is billed, the budget settled, and the tool-result cache keeps
 * it only within its byte bound ({@code ai.resource.cache.tool.max-size}). Through the
 * starter's wiring and the OpenAI chat model running the tool itself, against a loopback
 * server whose model asks for it.
 */
class HugeToolResultEndToEndTests {

	private static final int FIVE_MB = 5 * 1024 * 1024;

	/** Five megabytes of varied JSON text. */
	private static final String REPORT = report();

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final AtomicInteger reportCalls = new AtomicInteger();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withPropertyValues("management.endpoints.web.exposure.include=aicaches,aibudgets",
				"ai.resource.cache.tool.enabled=true", "ai.resource.cache.tool.tools.get_report=",
				"ai.resource.budget.enabled=true", "ai.resource.budget.limits.per-user-daily.scope=user",
				"ai.resource.budget.limits.per-user-daily.max-tokens=5000000");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAToolReturnsFiveMegabytesThenTheModelGetsItWholeTheCallIsBilledAndTheCacheKeepsItWithinItsBound() {
		this.server.reply(reportCall("call_1").usage(60, 12))
			.reply(OpenAiCompletion.text("The report lists 100,000 orders.").usage(1_400_000, 9))
			.reply(reportCall("call_2").usage(60, 12))
			.reply(OpenAiCompletion.text("Still 100,000 orders.").usage(1_400_000, 6));

		this.runner.run((context) -> {
			ChatClientResponse first = ask(context).call().chatClientResponse();
			ChatClientResponse second = ask(context).call().chatClientResponse();

			this.server.takeRequest();
			JsonNode withResult = this.server.takeRequest();
			assertThat(toolResult(withResult)).isEqualTo(REPORT);
			assertThat(first.chatResponse().getResult().getOutput().getText())
				.isEqualTo("The report lists 100,000 orders.");
			UsageRecord record = usageOf(first);
			assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			// Spring AI adds up the rounds of its tool loop.
			assertThat(record.promptTokens()).isEqualTo(1_400_060);
			assertThat(record.completionTokens()).isEqualTo(21);
			assertThat(usageOf(second).completionTokens()).isEqualTo(18);
			assertThat(context.getBean(BudgetsEndpoint.class).key("per-user-daily", "alice")).satisfies((alice) -> {
				assertThat(alice.usedTokens()).isEqualTo(1_400_081 + 1_400_078);
				assertThat(alice.reservedTokens()).isZero();
			});
			// The second call's round was answered from the cache: 64 MB by default.
			assertThat(this.reportCalls).hasValue(1);
			CacheDescriptor tool = context.getBean(CachesEndpoint.class).cache("tool");
			assertThat(tool.size()).isEqualTo(1);
			assertThat(tool.hits()).isEqualTo(1);
		});
	}

	@Test
	void whenAToolResultIsLargerThanTheCachesByteBoundThenItIsPassedOnButNeverKept() {
		this.server.reply(reportCall("call_1").usage(60, 12))
			.reply(OpenAiCompletion.text("100,000 orders.").usage(1_400_000, 5))
			.reply(reportCall("call_2").usage(60, 12))
			.reply(OpenAiCompletion.text("100,000 orders.").usage(1_400_000, 5));

		this.runner.withPropertyValues("ai.resource.cache.tool.max-size=8MB").run((context) -> {
			ask(context).call().content();
			ask(context).call().content();

			this.server.takeRequest();
			assertThat(toolResult(this.server.takeRequest())).isEqualTo(REPORT);
			this.server.takeRequest();
			assertThat(toolResult(this.server.takeRequest())).isEqualTo(REPORT);
			assertThat(this.reportCalls).hasValue(2);
			CacheDescriptor tool = context.getBean(CachesEndpoint.class).cache("tool");
			assertThat(tool.size()).isZero();
			assertThat(tool.misses()).isEqualTo(2);
		});
	}

	@Test
	void whenTheProviderReportsNoUsageThenTheEstimateCoversThePromptTheAdvisorsSawNotTheToolResultInsideTheModelsLoop() {
		this.server.reply(reportCall("call_1").withoutUsage())
			.reply(OpenAiCompletion.text("100,000 orders.").withoutUsage());

		this.runner.run((context) -> {
			ChatClientResponse response = ask(context).call().chatClientResponse();

			UsageRecord record = usageOf(response);
			assertThat(record.estimated()).isTrue();
			// The question and the tool's definition; the report alone is over a million.
			assertThat(record.promptTokens()).isLessThan(1_000);
			assertThat(record.completionTokens())
				.isEqualTo(TokenCounter.create().countText("100,000 orders.", "gpt-4o-mini"));
		});
	}

	private ChatClient.ChatClientRequestSpec ask(ApplicationContext context) {
		ToolCallback report = TestTools.answering("get_report", REPORT, this.reportCalls);
		return context.getBean(ChatClient.Builder.class)
			.build()
			.prompt()
			.user("How many orders are in the report?")
			.toolCallbacks(report)
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice").param(ResourceContextKeys.TENANT, "acme"));
	}

	private static OpenAiCompletion reportCall(String id) {
		return OpenAiCompletion.toolCall(id, "get_report", "{\"id\":\"orders-2026\"}");
	}

	private static String toolResult(JsonNode request) {
		JsonNode messages = request.path("messages");
		JsonNode last = messages.get(messages.size() - 1);
		assertThat(last.path("role").asText()).isEqualTo("tool");
		return last.path("content").asText();
	}

	private static String report() {
		StringBuilder report = new StringBuilder(FIVE_MB + 100).append('[');
		for (int i = 0; report.length() < FIVE_MB; i++) {
			report.append("{\"order\":")
				.append(i)
				.append(",\"customer\":\"c-")
				.append(i * 7919 % 100_003)
				.append("\",\"total\":")
				.append(i % 997)
				.append(".")
				.append(i % 100)
				.append("},");
		}
		report.setCharAt(report.length() - 1, ']');
		return report.toString();
	}

}
