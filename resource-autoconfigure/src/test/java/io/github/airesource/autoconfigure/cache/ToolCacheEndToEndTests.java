package io.github.airesource.autoconfigure.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.cache.CachesDescriptor.CacheDescriptor;
import io.github.airesource.actuate.cache.CachesEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.autoconfigure.guard.GuardAutoConfiguration;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool-result cache as an application gets it from the starter: properties, the
 * auto-configured {@link ChatClient.Builder}, Spring AI's tool calling manager and
 * resolver, and the OpenAI chat model running tools itself, against a loopback server
 * whose model asks for a tool.
 */
class ToolCacheEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final AtomicInteger weatherCalls = new AtomicInteger();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withPropertyValues("management.endpoints.web.exposure.include=aicaches", "ai.resource.cache.tool.enabled=true",
				"ai.resource.cache.tool.tools.get_current_weather=5m");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenTheModelAsksForTheSameToolCallInTwoRoundsThenTheToolRunsOnce() {
		this.server.reply(weatherCall()).reply(weatherCall()).reply(OpenAiCompletion.text("21 degrees."));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			String answer = ask(client, "acme").toolCallbacks(weather()).call().content();

			assertThat(answer).isEqualTo("21 degrees.");
			assertThat(this.weatherCalls).hasValue(1);
			assertThat(this.server.requestCount()).isEqualTo(3);
			CacheDescriptor tool = context.getBean(CachesEndpoint.class).cache("tool");
			assertThat(tool.hits()).isEqualTo(1);
			assertThat(tool.misses()).isEqualTo(1);
			assertThat(tool.size()).isEqualTo(1);
			assertThat(context.getBean(MeterRegistry.class)
				.get("ai.resource.cache.lookups")
				.tags("cache", "tool", "result", "hit")
				.functionCounter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void whenTwoCallsOfOneTenantAskForTheSameToolCallThenTheToolRunsOnceWithReorderedArgumentsToo() {
		this.server.reply(weatherCall())
			.reply(OpenAiCompletion.text("21 degrees."))
			.reply(OpenAiCompletion.toolCall("call_2", "get_current_weather",
					"{ \"unit\": \"celsius\", \"location\": \"Paris\" }"))
			.reply(OpenAiCompletion.text("Still 21."));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			ask(client, "acme").toolCallbacks(weather()).call().content();
			String second = ask(client, "acme").toolCallbacks(weather()).call().content();

			assertThat(second).isEqualTo("Still 21.");
			assertThat(this.weatherCalls).hasValue(1);
		});
	}

	@Test
	void whenTwoTenantsAskForTheSameToolCallThenTheToolRunsForEach() {
		this.server.reply(weatherCall())
			.reply(OpenAiCompletion.text("21 degrees."))
			.reply(weatherCall())
			.reply(OpenAiCompletion.text("21 degrees."));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			ask(client, "acme").toolCallbacks(weather()).call().content();
			ask(client, "globex").toolCallbacks(weather()).call().content();

			assertThat(this.weatherCalls).hasValue(2);
		});
	}

	@Test
	void whenAStreamingCallAsksForTheSameToolCallInTwoRoundsThenTheToolRunsOnce() {
		this.server.stream(weatherCall()).stream(weatherCall()).stream(OpenAiCompletion.text("21 ", "degrees."));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			String answer = String.join("",
					ask(client, "acme").toolCallbacks(weather())
						.stream()
						.content()
						.collectList()
						.block(Duration.ofSeconds(20)));

			assertThat(answer).isEqualTo("21 degrees.");
			assertThat(this.weatherCalls).hasValue(1);
		});
	}

	@Test
	void whenAToolResolvedByNameIsAskedForTwiceThenItRunsOnce() {
		this.server.reply(weatherCall()).reply(weatherCall()).reply(OpenAiCompletion.text("21 degrees."));
		this.runner.withBean("weatherTool", ToolCallback.class, this::weather).run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			String answer = ask(client, "acme").toolNames("get_current_weather").call().content();

			assertThat(answer).isEqualTo("21 degrees.");
			assertThat(this.weatherCalls).hasValue(1);
		});
	}

	@Test
	void whenAToolIsNotListedThenItRunsEveryTime() {
		this.server.reply(weatherCall()).reply(weatherCall()).reply(OpenAiCompletion.text("21 degrees."));
		ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withPropertyValues("ai.resource.cache.tool.enabled=true", "ai.resource.cache.tool.tools.stock_price=1m")
			.run((context) -> {
				ChatClient client = context.getBean(ChatClient.Builder.class).build();

				ask(client, "acme").toolCallbacks(weather()).call().content();

				assertThat(this.weatherCalls).hasValue(2);
			});
	}

	@Test
	void whenTheCallerAsksForABypassThenTheToolRunsEachRound() {
		this.server.reply(weatherCall()).reply(weatherCall()).reply(OpenAiCompletion.text("21 degrees."));
		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();

			ask(client, "acme").toolCallbacks(weather())
				.advisors((a) -> a.param(ResourceContextKeys.CACHE_BYPASS, true))
				.call()
				.content();

			assertThat(this.weatherCalls).hasValue(2);
		});
	}

	@Test
	void whenTheToolIterationGuardIsOnTooThenBothApply() {
		this.server.reply(weatherCall()).reply(weatherCall()).reply(OpenAiCompletion.text("21 degrees."));
		this.runner.withConfiguration(AutoConfigurations.of(GuardAutoConfiguration.class))
			.withPropertyValues("ai.resource.guard.max-tool-iterations=2")
			.run((context) -> {
				ChatClient client = context.getBean(ChatClient.Builder.class).build();

				assertThat(ask(client, "acme").toolCallbacks(weather()).call().content()).isEqualTo("21 degrees.");

				assertThat(this.weatherCalls).hasValue(1);
			});
	}

	private ToolCallback weather() {
		return TestTools.weather(this.weatherCalls);
	}

	private static ChatClient.ChatClientRequestSpec ask(ChatClient client, String tenant) {
		return client.prompt()
			.user("What is the weather in Paris?")
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant).param(ResourceContextKeys.USER, "alice"));
	}

	private static OpenAiCompletion weatherCall() {
		return OpenAiCompletion.toolCall("call_1", "get_current_weather",
				"{\"location\":\"Paris\",\"unit\":\"celsius\"}");
	}

}
