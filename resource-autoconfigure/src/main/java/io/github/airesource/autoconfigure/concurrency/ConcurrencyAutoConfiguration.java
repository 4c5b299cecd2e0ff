package io.github.airesource.autoconfigure.concurrency;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.concurrency.ConcurrencyAdvisor;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Concurrency limit ({@code ai.resource.concurrency.enabled=true}): the
 * {@link ConcurrencyBulkhead} with its wait queue, created in Resilience4j's
 * {@link BulkheadRegistry} when the application has one (Resilience4j's Spring Boot
 * starter defines it) so that Resilience4j's {@code bulkheads} endpoint and metrics list
 * it; the {@link ConcurrencyAdvisor} that holds a permit per call; with Micrometer, the
 * active, queued and wait meters.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, UsageAutoConfiguration.class },
		afterName = "io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration")
@ConditionalOnClass({ ChatClient.class, ConcurrencyAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = ConcurrencyProperties.PREFIX + ".enabled")
@EnableConfigurationProperties(ConcurrencyProperties.class)
public class ConcurrencyAutoConfiguration {

	/**
	 * The bulkhead. {@link BulkheadRegistry} is in {@code resilience4j-bulkhead}, which
	 * the core needs anyway, so there is no class to check: only Resilience4j's Spring
	 * Boot starter (or the application) supplies the registry bean, and without one the
	 * bulkhead stands alone.
	 */
	@Bean
	@ConditionalOnMissingBean
	ConcurrencyBulkhead resourceConcurrencyBulkhead(ConcurrencyProperties properties,
			ObjectProvider<BulkheadRegistry> registry) {
		return properties.toBulkhead().registry(registry.getIfUnique()).build();
	}

	@Bean
	@ConditionalOnMissingBean
	ConcurrencyAdvisor resourceConcurrencyAdvisor(ConcurrencyBulkhead bulkhead, ConcurrencyProperties properties,
			ScopeResolution scopeResolution, ObjectProvider<UsageRecorder> recorder,
			ObjectProvider<ChatModel> chatModel) {
		return ConcurrencyAdvisor.builder(bulkhead)
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.order(properties.getOrder())
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceConcurrencyMetrics")
		MeterBinder resourceConcurrencyMetrics(ObjectProvider<ConcurrencyBulkhead> bulkhead) {
			return (registry) -> bulkhead.ifAvailable((limit) -> ConcurrencyMetrics.bind(limit, registry));
		}

	}

}
