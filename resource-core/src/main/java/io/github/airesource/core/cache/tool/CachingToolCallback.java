package io.github.airesource.core.cache.tool;

import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * A tool that answers repeated calls from a {@link ToolResultCache}, around the real one.
 * It shows the model the same definition and keeps the same metadata (so
 * {@code returnDirect} still holds), and the delegate sees exactly the calls it would
 * have seen, minus those answered from the cache.
 *
 * <p>
 * Both call methods go through the cache. {@link #call(String)} has no tool context and
 * so no known caller: it runs the tool and counts a bypass. Spring AI's tool calling
 * always uses {@link #call(String, ToolContext)}.
 */
public final class CachingToolCallback implements ToolCallback {

	private final ToolCallback delegate;

	private final ToolResultCache cache;

	/**
	 * Create the decorator; prefer {@link ToolResultCache#decorate(ToolCallback)}, which
	 * decorates only listed tools.
	 * @param delegate the real tool
	 * @param cache the cache
	 */
	public CachingToolCallback(ToolCallback delegate, ToolResultCache cache) {
		Assert.notNull(delegate, "delegate must not be null");
		Assert.notNull(cache, "cache must not be null");
		this.delegate = delegate;
		this.cache = cache;
	}

	@Override
	public ToolDefinition getToolDefinition() {
		return this.delegate.getToolDefinition();
	}

	@Override
	public ToolMetadata getToolMetadata() {
		return this.delegate.getToolMetadata();
	}

	@Override
	public String call(String toolInput) {
		return this.cache.call(this.delegate, toolInput, null);
	}

	@Override
	public String call(String toolInput, @Nullable ToolContext toolContext) {
		return this.cache.call(this.delegate, toolInput, toolContext);
	}

	/**
	 * Return the real tool.
	 * @return the delegate
	 */
	public ToolCallback delegate() {
		return this.delegate;
	}

	@Override
	public String toString() {
		return "CachingToolCallback[" + this.delegate.getToolDefinition().name() + "]";
	}

}
