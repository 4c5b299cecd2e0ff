package io.github.airesource.core.cache.tool;

import java.util.List;

import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.util.Assert;

/**
 * A {@link ToolCallingManager} that runs the listed tools a prompt carries through a
 * {@link ToolResultCache}, around the application's own manager.
 *
 * <p>
 * Tools given to a chat client ({@code .tools(...)}, {@code .toolCallbacks(...)}, tool
 * callback providers) travel in the prompt's {@link ToolCallingChatOptions} and are
 * called by the manager straight from there. Before each round this manager hands its
 * delegate a prompt whose options hold the same tools with the listed ones decorated by a
 * {@link CachingToolCallback}; everything else (messages, tool context, the other
 * options) is the prompt's own, and nothing changes for the model or the caller: the
 * decorated prompt lives for this round only. Tools named in the prompt and resolved by
 * the delegate are decorated by a {@link CachingToolCallbackResolver}.
 *
 * <p>
 * Composes with other decorating managers such as the tool-iteration guard in either
 * order: each passes the prompt on and reads nothing the other changes.
 */
public final class CachingToolCallingManager implements ToolCallingManager {

	private final ToolCallingManager delegate;

	private final ToolResultCache cache;

	public CachingToolCallingManager(ToolCallingManager delegate, ToolResultCache cache) {
		Assert.notNull(delegate, "delegate must not be null");
		Assert.notNull(cache, "cache must not be null");
		this.delegate = delegate;
		this.cache = cache;
	}

	@Override
	public List<ToolDefinition> resolveToolDefinitions(ToolCallingChatOptions chatOptions) {
		return this.delegate.resolveToolDefinitions(chatOptions);
	}

	@Override
	public ToolExecutionResult executeToolCalls(Prompt prompt, ChatResponse chatResponse) {
		return this.delegate.executeToolCalls(decorate(prompt), chatResponse);
	}

	private Prompt decorate(Prompt prompt) {
		if (!(prompt.getOptions() instanceof ToolCallingChatOptions options)) {
			return prompt;
		}
		List<ToolCallback> tools = options.getToolCallbacks();
		List<ToolCallback> decorated = this.cache.decorate(tools);
		if (decorated == tools) {
			return prompt;
		}
		// A copy: the options object is the caller's (or the model's defaults) and is
		// reused after this round.
		if (!(options.copy() instanceof ToolCallingChatOptions copy)) {
			return prompt;
		}
		copy.setToolCallbacks(decorated);
		return new Prompt(prompt.getInstructions(), copy);
	}

	/**
	 * Return the manager that runs the tools.
	 * @return the delegate
	 */
	public ToolCallingManager delegate() {
		return this.delegate;
	}

	/**
	 * Return the cache the listed tools answer from.
	 * @return the cache
	 */
	public ToolResultCache cache() {
		return this.cache;
	}

}
