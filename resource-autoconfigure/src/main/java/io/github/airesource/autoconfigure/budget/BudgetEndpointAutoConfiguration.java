package io.github.airesource.autoconfigure.budget;

import io.github.airesource.actuate.budget.BudgetHealthIndicator;
import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.core.budget.Budgets;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code aibudgets} Actuator endpoint (when exposed) and the {@code aibudget} health
 * contributor, when Actuator is present and budgets are enabled.
 */
@AutoConfiguration(after = BudgetAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(Budgets.class)
public class BudgetEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(BudgetsEndpoint.class)
	BudgetsEndpoint budgetsEndpoint(Budgets budgets) {
		return new BudgetsEndpoint(budgets);
	}

	@Bean
	@ConditionalOnMissingBean(name = "aibudgetHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("aibudget")
	BudgetHealthIndicator aibudgetHealthIndicator(Budgets budgets) {
		return new BudgetHealthIndicator(budgets);
	}

}
