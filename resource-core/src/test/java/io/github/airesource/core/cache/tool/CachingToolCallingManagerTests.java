package io.github.airesource.core.cache.tool;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.tool.CachingToolCallbackTests.CountingTool;
import io.github.airesource.core.guard.ToolIterationGuard;
import io.github.airesource.core.guard.ToolIterationLimitException;
import io.github.airesource.core.scope.CallScope;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.metadata.ToolMetadata;
import org.springframework.ai.tool.resolution.StaticToolCallbackResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The caching tool calling manager around Spring AI's own: tools the prompt carries and
 * tools resolved by name answer repeated calls from the cache, and the manager composes
 * with the tool-iteration guard.
 */
class CachingToolCallingManagerTests {

	private final ToolResultCache cache = ToolResultCache.builder().tool("weather").build();

	private final CountingTool weather = new CountingTool("weather");

	@Test
	void whenTheModelAsksForAListedToolTwiceThenTheToolRunsOnceAndBothRoundsGetItsResult() {
		ToolCallingManager manager = new CachingToolCallingManager(ToolCallingManager.builder().build(), this.cache);
		Prompt prompt = prompt(ToolCallingChatOptions.builder().toolCallbacks(this.weather), "acme");

		String first = resultOf(manager.executeToolCalls(prompt, weatherCall()));
		String second = resultOf(manager.executeToolCalls(prompt, weatherCall()));

		assertThat(this.weather.calls).hasValue(1);
		assertThat(second).isEqualTo(first).isEqualTo("weather#1");
	}

	@Test
	void whenTwoTenantsAskForTheSameCallThenTheToolRunsForEach() {
		ToolCallingManager manager = new CachingToolCallingManager(ToolCallingManager.builder().build(), this.cache);

		manager.executeToolCalls(prompt(ToolCallingChatOptions.builder().toolCallbacks(this.weather), "acme"),
				weatherCall());
		manager.executeToolCalls(prompt(ToolCallingChatOptions.builder().toolCallbacks(this.weather), "globex"),
				weatherCall());

		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenTheToolsAreDecoratedThenThePromptsOwnOptionsAreLeftAsTheyWere() {
		ToolCallingManager manager = new CachingToolCallingManager(ToolCallingManager.builder().build(), this.cache);
		Prompt prompt = prompt(ToolCallingChatOptions.builder().toolCallbacks(this.weather), "acme");

		manager.executeToolCalls(prompt, weatherCall());

		assertThat(((ToolCallingChatOptions) prompt.getOptions()).getToolCallbacks()).containsExactly(this.weather);
	}

	@Test
	void whenAToolResolvedByNameIsCalledTwiceThenItRunsOnce() {
		ToolCallingManager manager = new CachingToolCallingManager(DefaultToolCallingManager.builder()
			.toolCallbackResolver(
					new CachingToolCallbackResolver(new StaticToolCallbackResolver(List.of(this.weather)), this.cache))
			.build(), this.cache);
		Prompt prompt = prompt(ToolCallingChatOptions.builder().toolNames("weather"), "acme");

		manager.executeToolCalls(prompt, weatherCall());
		String second = resultOf(manager.executeToolCalls(prompt, weatherCall()));

		assertThat(this.weather.calls).hasValue(1);
		assertThat(second).isEqualTo("weather#1");
	}

	@Test
	void whenAResolverResolvesAnUnlistedToolOrNothingThenItPassesThatOn() {
		CountingTool other = new CountingTool("other");
		CachingToolCallbackResolver resolver = new CachingToolCallbackResolver(
				new StaticToolCallbackResolver(List.of(this.weather, other)), this.cache);

		assertThat(resolver.resolve("other")).isSameAs(other);
		assertThat(resolver.resolve("missing")).isNull();
		assertThat(resolver.resolve("weather")).isInstanceOf(CachingToolCallback.class);
	}

	@Test
	void whenACachedToolReturnsDirectlyThenTheExecutionResultStillSaysSo() {
		CountingTool direct = new CountingTool("weather", ToolMetadata.builder().returnDirect(true).build());
		ToolCallingManager manager = new CachingToolCallingManager(ToolCallingManager.builder().build(), this.cache);
		Prompt prompt = prompt(ToolCallingChatOptions.builder().toolCallbacks(direct), "acme");

		assertThat(manager.executeToolCalls(prompt, weatherCall()).returnDirect()).isTrue();
		assertThat(manager.executeToolCalls(prompt, weatherCall()).returnDirect()).isTrue();
		assertThat(direct.calls).hasValue(1);
	}

	@Test
	void whenGuardedInsideOrOutsideTheCacheThenBothTheGuardAndTheCacheApply() {
		ToolCallingManager guardOutside = new ToolIterationGuard(
				new CachingToolCallingManager(ToolCallingManager.builder().build(), this.cache), 1);
		ToolCallingManager guardInside = new CachingToolCallingManager(
				new ToolIterationGuard(ToolCallingManager.builder().build(), 1), this.cache);

		for (ToolCallingManager manager : List.of(guardOutside, guardInside)) {
			Prompt first = prompt(ToolCallingChatOptions.builder().toolCallbacks(this.weather), "acme");
			ToolExecutionResult result = manager.executeToolCalls(first, weatherCall());
			Prompt second = new Prompt(result.conversationHistory(), first.getOptions());
			assertThatThrownBy(() -> manager.executeToolCalls(second, weatherCall()))
				.isInstanceOf(ToolIterationLimitException.class);
		}
		assertThat(this.weather.calls).hasValue(1);
	}

	private static Prompt prompt(ToolCallingChatOptions.Builder options, String tenant) {
		options.toolContext(Map.of(ResourceContextKeys.SCOPE, new CallScope(tenant, "alice", "c-1")));
		return new Prompt(List.<Message>of(new UserMessage("Weather in Paris?")), options.build());
	}

	private static ChatResponse weatherCall() {
		AssistantMessage message = AssistantMessage.builder()
			.content("")
			.toolCalls(
					List.of(new AssistantMessage.ToolCall("call_1", "function", "weather", "{\"location\":\"Paris\"}")))
			.build();
		return new ChatResponse(List.of(new Generation(message)));
	}

	private static String resultOf(ToolExecutionResult result) {
		Message last = result.conversationHistory().get(result.conversationHistory().size() - 1);
		return ((ToolResponseMessage) last).getResponses().get(0).responseData();
	}

}
