package io.github.airesource.autoconfigure.cache;

import io.github.airesource.core.cache.tool.CachingToolCallbackResolver;
import io.github.airesource.core.cache.tool.CachingToolCallingManager;
import io.github.airesource.core.cache.tool.ToolResultCache;
import io.github.airesource.core.guard.ToolIterationGuard;

import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.resolution.ToolCallbackResolver;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Puts the {@link ToolResultCache} around every {@link ToolCallingManager} bean (for the
 * tools a prompt carries) and every {@link ToolCallbackResolver} bean (for the tools a
 * prompt names), so that listed tools answer repeated calls from the cache whichever way
 * they reach the model.
 *
 * <p>
 * Ordered, so it runs before the tool-iteration guard's post-processor and the guard ends
 * up outermost; the two compose in either order, and a manager already caching (directly
 * or under a guard) is left as it is. The cache is looked up only when the first manager
 * or resolver is created, so this post-processor makes no bean early.
 */
public class ToolCachePostProcessor implements BeanPostProcessor, Ordered {

	private final ObjectProvider<ToolResultCache> cache;

	public ToolCachePostProcessor(ObjectProvider<ToolResultCache> cache) {
		this.cache = cache;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof ToolCallingManager manager && !isCaching(manager)) {
			ToolResultCache cache = this.cache.getIfAvailable();
			return (cache != null) ? new CachingToolCallingManager(manager, cache) : bean;
		}
		if (bean instanceof ToolCallbackResolver resolver && !(bean instanceof CachingToolCallbackResolver)) {
			ToolResultCache cache = this.cache.getIfAvailable();
			return (cache != null) ? new CachingToolCallbackResolver(resolver, cache) : bean;
		}
		return bean;
	}

	private static boolean isCaching(ToolCallingManager manager) {
		ToolCallingManager current = manager;
		while (true) {
			if (current instanceof CachingToolCallingManager) {
				return true;
			}
			if (current instanceof ToolIterationGuard guard) {
				current = guard.delegate();
			}
			else {
				return false;
			}
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 100;
	}

}
