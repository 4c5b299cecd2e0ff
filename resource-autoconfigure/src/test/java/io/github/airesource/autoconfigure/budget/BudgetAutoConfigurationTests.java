package io.github.airesource.autoconfigure.budget;

import java.time.Clock;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.airesource.actuate.budget.BudgetHealthIndicator;
import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetLimitResolver;
import io.github.airesource.core.budget.BudgetStore;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static io.github.airesource.autoconfigure.FailureAnalyses.bindFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class BudgetAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	private final ApplicationContextRunner enabled = this.runner.withPropertyValues("ai.resource.budget.enabled=true",
			"ai.resource.budget.limits.per-user-daily.max-tokens=50000");

	@Test
	void whenBudgetsAreNotEnabledThenNoBudgetBeanExists() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(BudgetAdvisor.class)
			.doesNotHaveBean(Budgets.class)
			.doesNotHaveBean(BudgetStore.class));
	}

	@Test
	void whenEnabledThenTheAdvisorJoinsTheChainBeforeTheUsageAdvisorOverAMemoryStore() {
		this.enabled.run((context) -> {
			assertThat(context).hasSingleBean(BudgetAdvisor.class)
				.hasSingleBean(InMemoryBudgetStore.class)
				.hasBean("resourceBudgetSettlementsLifecycle");
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), context.getBean(BudgetAdvisor.class),
					context.getBean(UsageAdvisor.class));
			assertThat(context.getBean(BudgetAdvisor.class).getOrder()).isEqualTo(10_500);
			Budgets budgets = context.getBean(Budgets.class);
			assertThat(budgets.limits()).singleElement().satisfies((limit) -> {
				assertThat(limit.name()).isEqualTo("per-user-daily");
				assertThat(limit.amount().maxTokens()).isEqualTo(50_000);
				assertThat(limit.period()).hasDays(1);
			});
		});
	}

	@Test
	void whenTheStoreIsRedisThenTheRedisStoreAndItsConnectionWarmUpAreUsed() {
		this.enabled.withPropertyValues("ai.resource.budget.store=redis")
			.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(RedisBudgetStore.class)
				.doesNotHaveBean(InMemoryBudgetStore.class)
				.hasBean("resourceBudgetRedisWarmUp"));
	}

	@Test
	void whenRedisStoreWithoutARedisConnectionThenStartupFailsSayingWhatToAdd() {
		this.enabled.withPropertyValues("ai.resource.budget.store=redis").run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: ai.resource.budget.store");
			assertThat(analysis.getAction()).contains("spring-boot-starter-data-redis")
				.contains("ai.resource.budget.store=memory");
		});
		this.enabled.withPropertyValues("ai.resource.budget.store=redis")
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("Property: ai.resource.budget.store"));
	}

	@Test
	void whenRedisStoreAndTheUserDefinesAStoreThenNoRedisIsNeeded() {
		InMemoryBudgetStore store = new InMemoryBudgetStore(Clock.systemUTC());
		this.enabled.withPropertyValues("ai.resource.budget.store=redis")
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.withBean(BudgetStore.class, () -> store)
			.run((context) -> assertThat(context).hasNotFailed().getBean(BudgetStore.class).isSameAs(store));
	}

	@Test
	void whenMasterSwitchIsOffThenNoBudget() {
		this.enabled.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BudgetAdvisor.class));
	}

	@Test
	void whenUserDefinesStoreBudgetsOrAdvisorThenOursBackOff() {
		InMemoryBudgetStore store = new InMemoryBudgetStore(Clock.systemUTC());
		this.enabled.withBean(BudgetStore.class, () -> store)
			.run((context) -> assertThat(context.getBean(Budgets.class).store()).isSameAs(store));
		Budgets budgets = new Budgets(List.of(), store, null);
		this.enabled.withBean(Budgets.class, () -> budgets)
			.run((context) -> assertThat(context.getBean(BudgetAdvisor.class).budgets()).isSameAs(budgets));
		BudgetAdvisor advisor = BudgetAdvisor.builder(budgets).order(1).build();
		this.enabled.withBean(BudgetAdvisor.class, () -> advisor)
			.run((context) -> assertThat(context).getBean(BudgetAdvisor.class).isSameAs(advisor));
	}

	@Test
	void whenAResolverBeanExistsThenItSuppliesAllowances() {
		BudgetLimitResolver resolver = (limit, key) -> "vip".equals(key) ? new BudgetAmount(1_000_000L, null) : null;
		this.enabled.withBean(BudgetLimitResolver.class, () -> resolver).run((context) -> {
			Budgets budgets = context.getBean(Budgets.class);
			var limit = budgets.limits().get(0);
			assertThat(budgets.allowanceOf(limit, "vip").maxTokens()).isEqualTo(1_000_000);
			assertThat(budgets.allowanceOf(limit, "alice").maxTokens()).isEqualTo(50_000);
		});
	}

	@Test
	void whenTheEndpointIsExposedThenItExistsAndTheHealthContributorToo() {
		this.enabled.withPropertyValues("management.endpoints.web.exposure.include=aibudgets")
			.run((context) -> assertThat(context).hasSingleBean(BudgetsEndpoint.class)
				.hasBean("aibudgetHealthIndicator"));
		this.enabled.run((context) -> assertThat(context).doesNotHaveBean(BudgetsEndpoint.class)
			.hasSingleBean(BudgetHealthIndicator.class));
		this.enabled.withPropertyValues("management.health.aibudget.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BudgetHealthIndicator.class));
	}

	@Test
	void whenActuatorIsMissingThenBudgetsWorkWithoutEndpointOrHealth() {
		this.enabled.withPropertyValues("management.endpoints.web.exposure.include=aibudgets")
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).hasSingleBean(BudgetAdvisor.class)
				.doesNotHaveBean(BudgetsEndpoint.class)
				.doesNotHaveBean(BudgetHealthIndicator.class));
	}

	@Test
	void whenMicrometerIsPresentThenGlobalLimitsAreMetered() {
		this.enabled
			.withPropertyValues("ai.resource.budget.limits.global-daily.scope=global",
					"ai.resource.budget.limits.global-daily.max-tokens=1000")
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("ai.resource.budget.used").tag("limit", "global-daily").gauge().value())
					.isZero();
				assertThat(registry.find("ai.resource.budget.used").tag("limit", "per-user-daily").gauge()).isNull();
				assertThat(registry.get("ai.resource.budget.fail-open").functionCounter().count()).isZero();
				assertThat(registry.get("ai.resource.budget.settlement.failures").functionCounter().count()).isZero();
				assertThat(registry.get("ai.resource.budget.settlement.recovered").functionCounter().count()).isZero();
				assertThat(registry.get("ai.resource.budget.settlement.abandoned").functionCounter().count()).isZero();
				assertThat(registry.get("ai.resource.budget.settlement.pending").gauge().value()).isZero();
			});
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"ai.resource.budget.limits.x.period=1d | ai.resource.budget.limits.x | max-tokens",
			"ai.resource.budget.limits.x.max-tokens=-1 | ai.resource.budget.limits.x.max-tokens | 0 or more",
			"ai.resource.budget.limits.x.max-cost=-0.5 | ai.resource.budget.limits.x.max-cost | 0 or more",
			"ai.resource.budget.limits.x.max-tokens=10,ai.resource.budget.limits.x.period=0s | ai.resource.budget.limits.x.period | 1d",
			"ai.resource.budget.limits.x.max-tokens=10,ai.resource.budget.limits.x.on-exhausted=fallback-model | ai.resource.budget.limits.x.fallback-model | gpt-4o-mini",
			"ai.resource.budget.limits.x.max-tokens=10,ai.resource.budget.limits.x.fallback-at=1.5 | ai.resource.budget.limits.x.fallback-at | 0.9",
			"ai.resource.budget.limits.x.max-tokens=10,ai.resource.budget.limits.x.overrides.acme.max-cost=-1 | ai.resource.budget.limits.x.overrides.acme.max-cost | 0 or more",
			"ai.resource.budget.reservation-ttl=0s | ai.resource.budget.reservation-ttl | 5m",
			"ai.resource.budget.default-output-reservation=-1 | ai.resource.budget.default-output-reservation | 1024" })
	void whenAValueIsInvalidThenStartupFailsNamingThePropertyAndTheFix(String settings, String property,
			String advice) {
		this.runner.withPropertyValues("ai.resource.budget.enabled=true")
			.withPropertyValues(settings.split(","))
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: " + property);
				assertThat(analysis.getAction()).contains(advice);
			});
	}

	@Test
	void whenScopeOrActionIsUnknownThenStartupFailsNamingThePropertyAndTheValidValues() {
		this.enabled.withPropertyValues("ai.resource.budget.limits.per-user-daily.scope=planet").run((context) -> {
			FailureAnalysis analysis = bindFailure(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("ai.resource.budget.limits.per-user-daily.scope")
				.contains("planet");
			assertThat(analysis.getAction()).contains("USER").contains("TENANT").contains("GLOBAL");
		});
		this.enabled.withPropertyValues("ai.resource.budget.limits.per-user-daily.on-exhausted=shrug")
			.run((context) -> {
				FailureAnalysis analysis = bindFailure(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("ai.resource.budget.limits.per-user-daily.on-exhausted");
				assertThat(analysis.getAction()).contains("REJECT").contains("FALLBACK_MODEL");
			});
	}

	@Test
	void whenACostLimitFallsBackToAnUnpricedModelThenStartupFails() {
		this.runner
			.withPropertyValues("ai.resource.budget.enabled=true", "ai.resource.budget.limits.x.max-cost=5",
					"ai.resource.budget.limits.x.on-exhausted=fallback-model",
					"ai.resource.budget.limits.x.fallback-model=mystery-7b")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: ai.resource.budget.limits.x.fallback-model")
					.contains("mystery-7b");
				assertThat(analysis.getAction()).contains("ai.resource.pricing.models.mystery-7b");
			});
	}

	@Test
	void whenACostLimitCoversAnUnpricedDefaultModelThenStartupFailsNamingIt() {
		ChatModel chatModel = mock(ChatModel.class);
		given(chatModel.getDefaultOptions()).willReturn(ChatOptions.builder().model("llama3.1-8b").build());
		this.runner.withPropertyValues("ai.resource.budget.enabled=true", "ai.resource.budget.limits.x.max-cost=5")
			.withBean(ChatModel.class, () -> chatModel)
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: ai.resource.budget.limits.x.max-cost")
					.contains("llama3.1-8b");
				assertThat(analysis.getAction()).contains("ai.resource.pricing.models[llama3.1-8b]");
			});
		this.runner.withPropertyValues("ai.resource.budget.enabled=true", "ai.resource.budget.limits.x.max-cost=5",
				"ai.resource.pricing.models[llama3.1-8b].input=0", "ai.resource.pricing.models[llama3.1-8b].output=0")
			.withBean(ChatModel.class, () -> chatModel)
			.run((context) -> assertThat(context).hasNotFailed());
	}

}
