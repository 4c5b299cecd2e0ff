package io.github.airesource.autoconfigure.admission;

import java.time.Clock;

import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.HeldResources;
import io.github.airesource.core.admission.JointAdmission;
import io.github.airesource.core.budget.BudgetReservationPartner;
import io.github.airesource.core.budget.BudgetStore;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.ratelimit.InMemoryRateLimitStore;
import io.github.airesource.core.ratelimit.RateLimitStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

class JointAdmissionAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
		.withPropertyValues("ai.resource.budget.enabled=true",
				"ai.resource.budget.limits.per-user-daily.max-tokens=50000", "ai.resource.rate-limit.enabled=true",
				"ai.resource.rate-limit.limits.global-rpm.requests=60");

	private final ApplicationContextRunner bothInRedis = this.runner
		.withPropertyValues("ai.resource.budget.store=redis", "ai.resource.rate-limit.store=redis");

	@Test
	void whenBudgetsAndRateLimitsAreBothInRedisThenCallsAreAdmittedJointly() {
		this.bothInRedis.run((context) -> {
			assertThat(context).hasSingleBean(JointAdmission.class);
			JointAdmission joint = context.getBean(JointAdmission.class);
			assertThat(joint.isJoint()).isTrue();
			assertThat(context.getBeansOfType(HeldResources.class)).containsValue(joint);
		});
	}

	@Test
	void whenEitherStoreIsInMemoryThenEachCallIsAdmittedInTurn() {
		this.runner.withPropertyValues("ai.resource.budget.store=redis")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JointAdmission.class));
		this.runner.withPropertyValues("ai.resource.rate-limit.store=redis")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JointAdmission.class));
		this.runner.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JointAdmission.class));
	}

	@Test
	void whenOnlyBudgetsOrOnlyRateLimitsAreEnabledThenThereIsNoJointAdmission() {
		this.bothInRedis.withPropertyValues("ai.resource.rate-limit.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JointAdmission.class));
		this.bothInRedis.withPropertyValues("ai.resource.budget.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JointAdmission.class));
	}

	@Test
	void whenTheMasterSwitchIsOffThenThereIsNoJointAdmission() {
		this.bothInRedis.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(JointAdmission.class));
	}

	@Test
	void whenTheApplicationDefinesAReservationPartnerThenOursBacksOff() {
		BudgetReservationPartner own = (request, next, id, charges, lease, checkFallbackAt) -> null;
		this.bothInRedis.withBean(BudgetReservationPartner.class, () -> own)
			.run((context) -> assertThat(context).doesNotHaveBean(JointAdmission.class)
				.getBean(BudgetReservationPartner.class)
				.isSameAs(own));
	}

	@Test
	void whenSpringDataRedisIsMissingThenTheApplicationsStoresAreUsedWithoutJointAdmission() {
		this.bothInRedis.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.withBean(BudgetStore.class, () -> new InMemoryBudgetStore(Clock.systemUTC()))
			.withBean(RateLimitStore.class, () -> new InMemoryRateLimitStore(Clock.systemUTC()))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JointAdmission.class));
	}

}
