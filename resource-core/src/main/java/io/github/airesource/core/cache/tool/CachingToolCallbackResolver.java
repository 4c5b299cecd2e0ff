package io.github.airesource.core.cache.tool;

import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.resolution.ToolCallbackResolver;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * A {@link ToolCallbackResolver} whose listed tools answer from a
 * {@link ToolResultCache}: tools a prompt names ({@code ChatClient...toolNames(...)}) are
 * resolved by Spring AI's tool calling manager through the resolver, not from the
 * prompt's options, so they are decorated here.
 */
public final class CachingToolCallbackResolver implements ToolCallbackResolver {

	private final ToolCallbackResolver delegate;

	private final ToolResultCache cache;

	public CachingToolCallbackResolver(ToolCallbackResolver delegate, ToolResultCache cache) {
		Assert.notNull(delegate, "delegate must not be null");
		Assert.notNull(cache, "cache must not be null");
		this.delegate = delegate;
		this.cache = cache;
	}

	@Override
	@Nullable
	public ToolCallback resolve(String toolName) {
		return this.cache.decorate(this.delegate.resolve(toolName));
	}

	/**
	 * Return the resolver that finds the tools.
	 * @return the delegate
	 */
	public ToolCallbackResolver delegate() {
		return this.delegate;
	}

}
