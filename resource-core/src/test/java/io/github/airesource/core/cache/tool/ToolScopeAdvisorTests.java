package io.github.airesource.core.cache.tool;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * How the caller's scope reaches the tools: the advisor on its own, and a real chat
 * client whose OpenAI model runs its tools through the caching manager, against a
 * loopback server that asks for a tool.
 */
class ToolScopeAdvisorTests {

	private final ScopeResolution resolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

	private final ToolScopeAdvisor advisor = new ToolScopeAdvisor(this.resolution);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenARequestCarriesToolsThenItsToolContextGetsTheScopeAndTheCacheControlsWhileItsOptionsStayAsTheyWere() {
		ToolCallingChatOptions options = ToolCallingChatOptions.builder()
			.toolCallbacks(TestTools.weather())
			.toolContext(Map.of("mine", "kept"))
			.build();
		Map<String, Object> context = new HashMap<>(Map.of(ResourceContextKeys.TENANT, "acme", ResourceContextKeys.USER,
				"alice", ResourceContextKeys.CACHE_NAMESPACE, "faq"));
		ChatClientRequest request = new ChatClientRequest(new Prompt(List.of(new UserMessage("hi")), options), context);

		ChatClientRequest scoped = this.advisor.withScope(request);

		Map<String, Object> toolContext = ((ToolCallingChatOptions) scoped.prompt().getOptions()).getToolContext();
		assertThat(toolContext).containsEntry("mine", "kept")
			.containsEntry(ResourceContextKeys.SCOPE, new CallScope("acme", "alice", null))
			.containsEntry(ResourceContextKeys.CACHE_NAMESPACE, "faq");
		assertThat(options.getToolContext()).containsOnlyKeys("mine");
		assertThat(scoped.context()).isSameAs(context);
	}

	@Test
	void whenARequestCarriesNoToolsThenItPassesUnchanged() {
		ChatClientRequest request = new ChatClientRequest(
				new Prompt(List.of(new UserMessage("hi")), ToolCallingChatOptions.builder().build()),
				new HashMap<>(Map.of(ResourceContextKeys.TENANT, "acme")));

		assertThat(this.advisor.withScope(request)).isSameAs(request);
	}

	@Test
	void whenACacheControlHasAWrongValueThenTheCallFailsNamingIt() {
		ChatClientRequest request = new ChatClientRequest(
				new Prompt(List.of(new UserMessage("hi")),
						ToolCallingChatOptions.builder().toolCallbacks(TestTools.weather()).build()),
				new HashMap<>(Map.of(ResourceContextKeys.CACHE_BYPASS, "maybe")));

		assertThatIllegalArgumentException().isThrownBy(() -> this.advisor.withScope(request))
			.withMessageContaining(ResourceContextKeys.CACHE_BYPASS);
	}

	@Test
	void whenAChatClientCallRunsATwiceAskedToolThenItRunsOncePerTenantAndItsToolContextNamesTheCaller() {
		ToolResultCache cache = ToolResultCache.builder().tool("get_current_weather", Duration.ofMinutes(5)).build();
		ChatClient client = ChatClient
			.builder(OpenAiTestModels.chatModel(this.server,
					new CachingToolCallingManager(ToolCallingManager.builder().build(), cache)))
			.defaultAdvisors(new ScopeCaptureAdvisor(this.resolution), this.advisor)
			.build();
		AtomicInteger calls = new AtomicInteger();
		List<ToolContext> contexts = new java.util.concurrent.CopyOnWriteArrayList<>();
		ToolCallback weather = recording(TestTools.weather(calls), contexts);
		this.server.reply(weatherCall())
			.reply(weatherCall())
			.reply(OpenAiCompletion.text("21 degrees."))
			.reply(weatherCall())
			.reply(OpenAiCompletion.text("Also 21."));

		String acme = client.prompt()
			.user("Weather in Paris, twice?")
			.toolCallbacks(weather)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.content();
		String globex = client.prompt()
			.user("Weather in Paris?")
			.toolCallbacks(weather)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, "globex"))
			.call()
			.content();

		assertThat(acme).isEqualTo("21 degrees.");
		assertThat(globex).isEqualTo("Also 21.");
		assertThat(calls).hasValue(2);
		assertThat(contexts)
			.extracting((context) -> ((CallScope) context.getContext().get(ResourceContextKeys.SCOPE)).tenant())
			.containsExactly("acme", "globex");
		assertThat(cache.statistics().snapshot().hits()).isEqualTo(1);
	}

	private static ToolCallback recording(ToolCallback tool, List<ToolContext> contexts) {
		return new ToolCallback() {
			@Override
			public ToolDefinition getToolDefinition() {
				return tool.getToolDefinition();
			}

			@Override
			public String call(String toolInput) {
				return tool.call(toolInput);
			}

			@Override
			public String call(String toolInput, ToolContext toolContext) {
				contexts.add(toolContext);
				return tool.call(toolInput);
			}
		};
	}

	private static OpenAiCompletion weatherCall() {
		return OpenAiCompletion.toolCall("call_1", "get_current_weather", "{\"location\":\"Paris\"}");
	}

}
