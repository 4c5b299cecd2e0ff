package io.github.airesource.autoconfigure.admission;

import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.budget.BudgetAutoConfiguration;
import io.github.airesource.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import io.github.airesource.core.admission.JointAdmission;
import io.github.airesource.core.budget.BudgetReservationPartner;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * One Redis round trip to admit a call and one to settle it when budgets and rate limits
 * both keep their state in Redis ({@code ai.resource.budget.store=redis} and
 * {@code ai.resource.rate-limit.store=redis}): the {@link JointAdmission} that the budget
 * advisor reserves with, for the rate-limit advisor right after it. Without it, a call
 * that both apply to costs two round trips to admit and two to settle. With stores in
 * memory, or only one of them in Redis, nothing changes; an application's own
 * {@link BudgetReservationPartner} takes its place.
 */
@AutoConfiguration(after = { BudgetAutoConfiguration.class, RateLimitAutoConfiguration.class })
@ConditionalOnClass(name = { "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
		"io.github.airesource.core.admission.JointAdmission" })
@ConditionalOnResourceEnabled
@ConditionalOnBean(
		type = { "io.github.airesource.core.budget.redis.RedisBudgetStore",
				"io.github.airesource.core.ratelimit.redis.RedisRateLimitStore" },
		value = { Budgets.class, RateLimitAdvisor.class })
public class JointAdmissionAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(BudgetReservationPartner.class)
	JointAdmission resourceJointAdmission(Budgets budgets, RateLimitAdvisor rateLimitAdvisor) {
		return new JointAdmission(budgets, rateLimitAdvisor);
	}

}
