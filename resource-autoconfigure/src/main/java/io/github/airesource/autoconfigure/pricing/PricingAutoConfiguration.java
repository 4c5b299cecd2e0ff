package io.github.airesource.autoconfigure.pricing;

import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.core.pricing.PricingCatalog;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The {@link PricingCatalog}: built-in model prices plus
 * {@code ai.resource.pricing.models}.
 */
@AutoConfiguration
@ConditionalOnClass(PricingCatalog.class)
@ConditionalOnResourceEnabled
@EnableConfigurationProperties(PricingProperties.class)
public class PricingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PricingCatalog resourcePricingCatalog(PricingProperties properties) {
		return properties.toCatalog();
	}

}
