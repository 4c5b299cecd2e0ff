package io.github.airesource.autoconfigure.cache;

import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.core.cache.ManagedCache;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cache meters ({@link CacheMetrics}) of every {@link ManagedCache} bean, when
 * Micrometer is present. The caches are looked up when the registry binds, so those of
 * every cache auto-configuration are found whatever their order.
 */
@AutoConfiguration(after = ToolCacheAutoConfiguration.class)
@ConditionalOnClass(ManagedCache.class)
@ConditionalOnResourceEnabled
public class CacheMetricsAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceCacheMetrics")
		MeterBinder resourceCacheMetrics(ObjectProvider<ManagedCache> caches) {
			return (registry) -> caches.orderedStream().forEach((cache) -> CacheMetrics.bind(cache, registry));
		}

	}

}
