package io.github.airesource.autoconfigure.guard;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.guard.PromptGuardAdvisor;
import io.github.airesource.core.guard.TimeoutAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageRecorder;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * Guard rails ({@code ai.resource.guard.*}), each off until set: the
 * {@link PromptGuardAdvisor} for the prompt limit, the output cap and tool loops through
 * the advisor chain; the {@link TimeoutAdvisor} for the call timeout; and a
 * {@link ToolIterationGuardPostProcessor} that guards the {@link ToolCallingManager} of
 * chat models that run tools themselves.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, UsageAutoConfiguration.class })
@ConditionalOnClass({ ChatClient.class, PromptGuardAdvisor.class })
@ConditionalOnResourceEnabled
@EnableConfigurationProperties(GuardProperties.class)
public class GuardAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Conditional(GuardConditions.OnPromptGuard.class)
	PromptGuardAdvisor resourcePromptGuardAdvisor(GuardProperties properties, TokenCounter tokenCounter,
			ScopeResolution scopeResolution, ObjectProvider<UsageRecorder> recorder,
			ObjectProvider<ChatModel> chatModel) {
		return PromptGuardAdvisor.builder()
			.maxPromptTokens(properties.getMaxPromptTokens())
			.maxOutputTokens(properties.getMaxOutputTokens())
			.maxToolIterations(properties.getMaxToolIterations())
			.tokenCounter(tokenCounter)
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.order(properties.getOrder())
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	@Conditional(GuardConditions.OnTimeout.class)
	TimeoutAdvisor resourceTimeoutAdvisor(GuardProperties properties) {
		return TimeoutAdvisor.builder(properties.getTimeout()).order(properties.getTimeoutOrder()).build();
	}

	/**
	 * Static, as every post-processor: it is created before the other beans and must not
	 * make this configuration class early. It reads its limit from the environment for
	 * the same reason; {@link GuardProperties} still validates it.
	 * @param environment the environment
	 * @return the post-processor
	 */
	@Bean
	@ConditionalOnMissingBean
	@Conditional(GuardConditions.OnToolIterations.class)
	static ToolIterationGuardPostProcessor resourceToolIterationGuardPostProcessor(Environment environment) {
		return new ToolIterationGuardPostProcessor(
				GuardConditions.intProperty(Binder.get(environment), "max-tool-iterations"));
	}

}
