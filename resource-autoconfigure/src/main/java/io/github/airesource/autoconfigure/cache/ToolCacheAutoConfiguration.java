package io.github.airesource.autoconfigure.cache;

import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.core.cache.tool.ToolResultCache;
import io.github.airesource.core.cache.tool.ToolScopeAdvisor;
import io.github.airesource.core.scope.ScopeResolution;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.resolution.ToolCallbackResolver;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The tool-result cache ({@code ai.resource.cache.tool.*}), off until enabled: the
 * {@link ToolResultCache} of the listed tools, the {@link ToolScopeAdvisor} that carries
 * each call's scope to its tools, and a {@link ToolCachePostProcessor} that puts the
 * cache around the application's {@link ToolCallingManager} and
 * {@link ToolCallbackResolver} beans.
 */
@AutoConfiguration(after = ResourceAutoConfiguration.class)
@ConditionalOnClass({ ChatClient.class, ToolResultCache.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = CacheProperties.PREFIX + ".tool.enabled")
@EnableConfigurationProperties(CacheProperties.class)
public class ToolCacheAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ToolResultCache resourceToolResultCache(CacheProperties properties) {
		CacheProperties.Tool tool = properties.getTool();
		return ToolResultCache.builder()
			.defaultTtl(tool.getTtl())
			.tools(tool.toolTtls())
			.maxEntries(tool.getMaxEntries())
			.maxBytes(tool.getMaxSize().toBytes())
			.perUser(properties.isPerUser())
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	ToolScopeAdvisor resourceToolScopeAdvisor(ScopeResolution scopeResolution, CacheProperties properties) {
		return new ToolScopeAdvisor(scopeResolution, properties.getTool().getOrder());
	}

	/**
	 * Static, as every post-processor: it is created before the other beans and must not
	 * make this configuration class early; it finds the cache lazily.
	 * @param cache the cache
	 * @return the post-processor
	 */
	@Bean
	@ConditionalOnMissingBean
	static ToolCachePostProcessor resourceToolCachePostProcessor(ObjectProvider<ToolResultCache> cache) {
		return new ToolCachePostProcessor(cache);
	}

}
