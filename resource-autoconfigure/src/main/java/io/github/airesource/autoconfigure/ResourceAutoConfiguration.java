package io.github.airesource.autoconfigure;

import io.github.airesource.autoconfigure.tokens.TokensProperties;
import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.tokens.TokenCounter;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The spine of AI Resource: token counter, scope resolver, the {@link ResourceAdvisors}
 * of every enabled feature and the customizer that adds them to the auto-configured
 * {@link ChatClient.Builder}. Never defines a chat client or builder itself.
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
	ResourceAdvisors resourceAdvisors(ObjectProvider<ResourceAdvisor> advisors) {
		return new ResourceAdvisors(advisors.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean(name = "resourceChatClientCustomizer")
	ChatClientCustomizer resourceChatClientCustomizer(ResourceAdvisors advisors) {
		return advisors::applyTo;
	}

}
