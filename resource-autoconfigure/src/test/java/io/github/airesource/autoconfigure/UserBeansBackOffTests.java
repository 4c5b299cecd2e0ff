package io.github.airesource.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.metrics.UsageMetrics;
import io.github.airesource.core.usage.redis.RedisUsageLedger;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bean AI Resource defines gives way to one the application defines.
 */
class UserBeansBackOffTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	private final ApplicationContextRunner redisRunner = this.runner
		.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
		.withPropertyValues("ai.resource.usage.store=redis");

	@Test
	void whenUserDefinesAPricingCatalogThenItIsUsed() {
		PricingCatalog mine = PricingCatalog.builder().withoutDefaults().build();
		this.runner.withBean(PricingCatalog.class, () -> mine)
			.run((context) -> assertThat(context).getBean(PricingCatalog.class).isSameAs(mine));
	}

	@Test
	void whenUserDefinesResourceAdvisorsThenTheyAreUsed() {
		ResourceAdvisors mine = new ResourceAdvisors(List.of());
		this.runner.withBean(ResourceAdvisors.class, () -> mine)
			.run((context) -> assertThat(context).getBean(ResourceAdvisors.class).isSameAs(mine));
	}

	@Test
	void whenUserDefinesTheCustomizerByNameThenOursBacksOff() {
		ChatClientCustomizer mine = (builder) -> {
		};
		this.runner.withBean("resourceChatClientCustomizer", ChatClientCustomizer.class, () -> mine)
			.run((context) -> assertThat(context).getBean("resourceChatClientCustomizer").isSameAs(mine));
	}

	@Test
	void whenUserDefinesAUsageRecorderThenItIsUsed() {
		UsageRecorder mine = new UsageRecorder(PricingCatalog.withDefaults(), List.of());
		this.runner.withBean(UsageRecorder.class, () -> mine)
			.run((context) -> assertThat(context).getBean(UsageRecorder.class).isSameAs(mine));
	}

	@Test
	void whenUserDefinesAUsageAdvisorThenItIsUsed() {
		UsageAdvisor mine = UsageAdvisor.builder(new UsageRecorder(PricingCatalog.withDefaults(), List.of()))
			.order(7)
			.build();
		this.runner.withBean(UsageAdvisor.class, () -> mine).run((context) -> {
			assertThat(context).getBean(UsageAdvisor.class).isSameAs(mine);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).contains(mine);
		});
	}

	@Test
	void whenUserDefinesAUsageLedgerThenNoLedgerOfOursIsCreated() {
		InMemoryUsageLedger mine = new InMemoryUsageLedger(5, Clock.systemUTC());
		this.runner.withBean(UsageLedger.class, () -> mine)
			.run((context) -> assertThat(context).getBean(UsageLedger.class).isSameAs(mine));
		this.redisRunner.withBean(UsageLedger.class, () -> mine).run((context) -> {
			assertThat(context).hasNotFailed().getBean(UsageLedger.class).isSameAs(mine);
			assertThat(context).doesNotHaveBean("resourceUsageLedgerLifecycle");
		});
	}

	@Test
	void whenUserDefinesResourceRedisThenItIsUsed() {
		this.redisRunner
			.withBean(ResourceRedis.class,
					() -> new ResourceRedis(new LettuceConnectionFactory(), "mine:", Duration.ofSeconds(1)))
			.run((context) -> assertThat(context).getBean(ResourceRedis.class)
				.satisfies((redis) -> assertThat(redis.keys().prefix()).isEqualTo("mine:")));
	}

	@Test
	void whenRedisStoreIsUsedThenItsLifecycleAndMetricsBackOffByName() {
		SmartLifecycle lifecycle = new SmartLifecycle() {

			@Override
			public void start() {
			}

			@Override
			public void stop() {
			}

			@Override
			public boolean isRunning() {
				return false;
			}

		};
		MeterBinder binder = (registry) -> {
		};
		this.redisRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			assertThat(context).hasSingleBean(RedisUsageLedger.class)
				.hasBean("resourceUsageLedgerLifecycle")
				.hasBean("resourceUsageRedisMetrics");
		});
		this.redisRunner.withBean("resourceUsageLedgerLifecycle", SmartLifecycle.class, () -> lifecycle)
			.withBean("resourceUsageRedisMetrics", MeterBinder.class, () -> binder)
			.run((context) -> {
				assertThat(context).getBean("resourceUsageLedgerLifecycle").isSameAs(lifecycle);
				assertThat(context).getBean("resourceUsageRedisMetrics").isSameAs(binder);
			});
	}

	@Test
	void whenUserDefinesUsageMetricsThenTheyAreUsed() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		UsageMetrics mine = new UsageMetrics(registry);
		this.runner.withBean(MeterRegistry.class, () -> registry)
			.withBean(UsageMetrics.class, () -> mine)
			.run((context) -> assertThat(context).getBean(UsageMetrics.class).isSameAs(mine));
	}

	@Test
	void whenUserDefinesTheEndpointThenItIsUsed() {
		UsageEndpoint mine = new UsageEndpoint(new InMemoryUsageLedger(5, Clock.systemUTC()));
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=aiusage")
			.withBean(UsageEndpoint.class, () -> mine)
			.run((context) -> assertThat(context).getBean(UsageEndpoint.class).isSameAs(mine));
	}

	@Test
	void whenTheEndpointIsDisabledThenItIsNotCreatedEvenIfExposed() {
		this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=aiusage",
					"management.endpoint.aiusage.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(UsageEndpoint.class)
				.hasSingleBean(UsageLedger.class));
		this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=aiusage",
					"management.endpoint.aiusage.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(UsageEndpoint.class));
	}

}
