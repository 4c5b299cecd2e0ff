package io.github.airesource.autoconfigure;

import io.github.airesource.autoconfigure.tokens.TokensProperties;
import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.tokens.TokenCounter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The spine of AI Resource: token counter, scope resolver, the
 * {@link ScopeCaptureAdvisor} that runs it on the caller's thread, the
 * {@link ResourceAdvisors} of every enabled feature and the customizer that adds them to
 * the auto-configured {@link ChatClient.Builder}; with Micrometer, the
 * {@code ai.resource.scope.failures} meter. Never defines a chat client or builder
 * itself.
 */
@AutoConfiguration(beforeName = "org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration")
@ConditionalOnClass(ChatClient.class)
@ConditionalOnResourceEnabled
@EnableConfigurationProperties({ ResourceProperties.class, TokensProperties.class })
public class ResourceAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TokenCounter resourceTokenCounter(TokensProperties properties) {
		return properties.toTokenCounter();
	}

	@Bean
	@ConditionalOnMissingBean
	ScopeResolver resourceScopeResolver() {
		return ScopeResolver.fromAdvisorParams();
	}

	@Bean
	@ConditionalOnMissingBean
	ScopeResolution resourceScopeResolution(ScopeResolver scopeResolver) {
		return new ScopeResolution(scopeResolver);
	}

	@Bean
	@ConditionalOnMissingBean
	ScopeCaptureAdvisor resourceScopeCaptureAdvisor(ScopeResolution scopeResolution, ResourceProperties properties) {
		return new ScopeCaptureAdvisor(scopeResolution, properties.getScope().getOrder());
	}

	@Bean
	@ConditionalOnMissingBean
	ResourceAdvisors resourceAdvisors(ObjectProvider<ResourceAdvisor> advisors) {
		return new ResourceAdvisors(advisors.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean(name = "resourceChatClientCustomizer")
	ChatClientCustomizer resourceChatClientCustomizer(ResourceAdvisors advisors) {
		return advisors::applyTo;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class ScopeMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resourceScopeMetrics")
		MeterBinder resourceScopeMetrics(ObjectProvider<ScopeResolution> scopeResolution) {
			return (registry) -> scopeResolution.ifAvailable((resolution) -> FunctionCounter
				.builder("ai.resource.scope.failures", resolution, ScopeResolution::failures)
				.description("Calls whose ScopeResolver failed; they were counted as anonymous")
				.register(registry));
		}

	}

}
