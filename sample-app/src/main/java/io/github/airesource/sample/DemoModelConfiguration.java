package io.github.airesource.sample;

import io.github.airesource.core.tokens.TokenCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link DemoChatModel}, when {@link DemoModeEnvironmentPostProcessor} found no model
 * provider configured (or {@code sample.demo-model=true} asks for it).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = DemoModeEnvironmentPostProcessor.DEMO_MODEL)
public class DemoModelConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(DemoModelConfiguration.class);

	@Bean
	DemoChatModel demoChatModel(TokenCounter tokenCounter) {
		// Loud on purpose: a deployment that lost its key must not look like it is
		// working.
		logger.warn("No OPENAI_API_KEY or OPENAI_BASE_URL: using the DEMO chat model (canned answers, realistic "
				+ "usage). Set OPENAI_API_KEY to use OpenAI, or OPENAI_BASE_URL for an OpenAI-compatible server.");
		return new DemoChatModel(tokenCounter);
	}

}
