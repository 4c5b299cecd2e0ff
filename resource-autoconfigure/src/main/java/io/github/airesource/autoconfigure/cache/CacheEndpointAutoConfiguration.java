package io.github.airesource.autoconfigure.cache;

import io.github.airesource.actuate.cache.CachesEndpoint;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.core.cache.ManagedCache;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * The {@code aicaches} Actuator endpoint, when Actuator is present, the endpoint is
 * available (exposed and not disabled) and a cache is enabled. The endpoint looks the
 * {@link ManagedCache} beans up on each request, so it shows the caches of every cache
 * auto-configuration whatever their order.
 */
@AutoConfiguration(after = ToolCacheAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnResourceEnabled
@ConditionalOnAvailableEndpoint(CachesEndpoint.class)
@Conditional(CacheEndpointAutoConfiguration.OnAnyCache.class)
public class CacheEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CachesEndpoint cachesEndpoint(ObjectProvider<ManagedCache> caches) {
		return new CachesEndpoint(() -> caches.orderedStream().toList());
	}

	/**
	 * A cache is enabled by its property, or the application defines one of its own.
	 * Properties rather than beans, since the cache auto-configurations may run after
	 * this one.
	 */
	static class OnAnyCache extends AnyNestedCondition {

		OnAnyCache() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBooleanProperty(name = CacheProperties.PREFIX + ".response.enabled")
		static class ResponseEnabled {

		}

		@ConditionalOnBooleanProperty(name = CacheProperties.PREFIX + ".semantic.enabled")
		static class SemanticEnabled {

		}

		@ConditionalOnBooleanProperty(name = CacheProperties.PREFIX + ".tool.enabled")
		static class ToolEnabled {

		}

		@ConditionalOnBean(ManagedCache.class)
		static class CacheBean {

		}

	}

}
