package io.github.airesource.autoconfigure.usage;

import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.core.history.HistoryStatistics;
import io.github.airesource.core.usage.SystemPrompts;
import io.github.airesource.core.usage.ledger.UsageLedger;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code aiusage} Actuator endpoint, when Actuator is present and the endpoint is
 * available (exposed and not disabled).
 */
@AutoConfiguration(after = UsageAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnAvailableEndpoint(UsageEndpoint.class)
@ConditionalOnBean(UsageLedger.class)
public class UsageEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	UsageEndpoint usageEndpoint(UsageLedger ledger, ObjectProvider<SystemPrompts> systemPrompts,
			ObjectProvider<HistoryStatistics> history) {
		return new UsageEndpoint(ledger, systemPrompts.getIfAvailable(), history.getIfUnique());
	}

}
