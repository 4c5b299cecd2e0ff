package io.github.airesource.autoconfigure.memory;

import io.github.airesource.actuate.memory.MemoryHealthIndicator;
import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.HeldResources;
import io.github.airesource.core.memory.MemoryGuardAdvisor;
import io.github.airesource.core.memory.MemoryMonitor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.usage.UsageRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * JVM memory protection ({@code ai.resource.memory.*}), on by default: the
 * {@link MemoryMonitor} (started and stopped with the context), the
 * {@link MemoryGuardAdvisor} that refuses new calls while the heap used after garbage
 * collection is above {@code max-heap-usage}, the {@code aimemory} health contributor
 * when Actuator is present, and the {@code ai.resource.memory.*} meters when Micrometer
 * is.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, UsageAutoConfiguration.class })
@ConditionalOnClass({ ChatClient.class, MemoryGuardAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = MemoryProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(MemoryProperties.class)
public class MemoryAutoConfiguration {

	/**
	 * The monitor; {@code close} (inferred) stops it when the context is destroyed
	 * without having been started or stopped.
	 * @param properties the memory properties
	 * @return the monitor, not started
	 */
	@Bean
	@ConditionalOnMissingBean
	MemoryMonitor resourceMemoryMonitor(MemoryProperties properties) {
		return MemoryMonitor.create(properties.getMaxHeapUsage());
	}

	@Bean
	@ConditionalOnMissingBean
	MemoryMonitorLifecycle resourceMemoryMonitorLifecycle(MemoryMonitor monitor) {
		return new MemoryMonitorLifecycle(monitor);
	}

	@Bean
	@ConditionalOnMissingBean
	MemoryGuardAdvisor resourceMemoryGuardAdvisor(MemoryProperties properties, MemoryMonitor monitor,
			ScopeResolution scopeResolution, ObjectProvider<UsageRecorder> recorder,
			ObjectProvider<ChatModel> chatModel) {
		return MemoryGuardAdvisor.builder(monitor)
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.order(properties.getOrder())
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "aimemoryHealthIndicator")
		@ConditionalOnEnabledHealthIndicator("aimemory")
		MemoryHealthIndicator aimemoryHealthIndicator(MemoryMonitor monitor, ObjectProvider<MemoryGuardAdvisor> advisor,
				ObjectProvider<HeldResources> held) {
			return new MemoryHealthIndicator(monitor, advisor.getIfUnique(), () -> held.orderedStream().toList());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceMemoryMetrics")
		MeterBinder resourceMemoryMetrics(MemoryMonitor monitor, ObjectProvider<MemoryGuardAdvisor> advisor) {
			return (registry) -> MemoryMetrics.bind(monitor, advisor.getIfUnique(), registry);
		}

	}

}
