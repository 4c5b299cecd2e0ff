package io.github.airesource.core.guard;

import java.util.List;

import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.util.Assert;

/**
 * A {@link ToolCallingManager} that refuses to run more than a number of tool iterations
 * in one call, around the application's own manager.
 *
 * <p>
 * Chat models that execute tools themselves (OpenAI's, with internal tool execution on)
 * loop inside one {@code ChatModel.call}: the advisor chain sees one call, but every
 * round goes through {@link #executeToolCalls}. The prompt passed there holds the
 * conversation so far, so the rounds already run are counted from it
 * ({@link ToolIterations}) and the manager keeps no state between rounds or calls.
 */
public final class ToolIterationGuard implements ToolCallingManager {

	private final ToolCallingManager delegate;

	private final int maxIterations;

	public ToolIterationGuard(ToolCallingManager delegate, int maxIterations) {
		Assert.notNull(delegate, "delegate must not be null");
		Assert.isTrue(maxIterations > 0, "maxIterations must be positive");
		this.delegate = delegate;
		this.maxIterations = maxIterations;
	}

	@Override
	public List<ToolDefinition> resolveToolDefinitions(ToolCallingChatOptions chatOptions) {
		return this.delegate.resolveToolDefinitions(chatOptions);
	}

	@Override
	public ToolExecutionResult executeToolCalls(Prompt prompt, ChatResponse chatResponse) {
		ToolIterations.checkAnother(prompt.getInstructions(), this.maxIterations);
		return this.delegate.executeToolCalls(prompt, chatResponse);
	}

	/**
	 * Return the manager that runs the tools.
	 * @return the delegate
	 */
	public ToolCallingManager delegate() {
		return this.delegate;
	}

	/**
	 * Return the most tool iterations one call may run.
	 * @return the limit
	 */
	public int maxIterations() {
		return this.maxIterations;
	}

}
