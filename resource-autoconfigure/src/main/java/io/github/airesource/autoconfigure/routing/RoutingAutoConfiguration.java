package io.github.airesource.autoconfigure.routing;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.routing.ContextWindows;
import io.github.airesource.core.routing.RoutingAdvisor;
import io.github.airesource.core.routing.RoutingListener;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.TokenCounter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Model routing ({@code ai.resource.routing.*}), off until enabled: the
 * {@link RoutingAdvisor} with the configured rules and context-window rule and, with
 * Micrometer, the {@value RoutingMetrics#ROUTED} counter.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, UsageAutoConfiguration.class },
		afterName = "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ ChatClient.class, RoutingAdvisor.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = RoutingProperties.PREFIX + ".enabled")
@EnableConfigurationProperties(RoutingProperties.class)
public class RoutingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RoutingAdvisor resourceRoutingAdvisor(RoutingProperties properties, TokenCounter tokenCounter,
			ScopeResolution scopeResolution, ObjectProvider<ChatModel> chatModel,
			ObjectProvider<RoutingListener> listeners) {
		return RoutingAdvisor.builder()
			.rules(properties.toRules())
			.contextWindows(ContextWindows.withDefaults(properties.getContextWindows()))
			.contextWindowFallback(properties.getContextWindowFallback())
			.tokenCounter(tokenCounter)
			.scopeResolution(scopeResolution)
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.listener(listeners.getIfUnique())
			.order(properties.getOrder())
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RoutingMetrics resourceRoutingMetrics(MeterRegistry registry) {
			return new RoutingMetrics(registry);
		}

	}

}
