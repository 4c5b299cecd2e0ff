package io.github.airesource.autoconfigure;

import com.knuddels.jtokkit.api.EncodingType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.tokens.TokensProperties;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.metrics.UsageMetrics;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	@Test
	void whenDefaultsThenUsageAccountingIsWiredInMemory() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(TokenCounter.class)
				.hasSingleBean(ScopeResolver.class)
				.hasSingleBean(ScopeResolution.class)
				.hasSingleBean(ScopeCaptureAdvisor.class)
				.hasSingleBean(PricingCatalog.class)
				.hasSingleBean(UsageRecorder.class)
				.hasSingleBean(UsageAdvisor.class)
				.hasSingleBean(InMemoryUsageLedger.class)
				.hasBean("resourceChatClientCustomizer")
				.doesNotHaveBean(UsageMetrics.class);
			assertThat(context.getBean(ResourceAdvisors.class).asList())
				.containsExactly(context.getBean(ScopeCaptureAdvisor.class), context.getBean(UsageAdvisor.class));
			assertThat(context.getBean(ScopeCaptureAdvisor.class).getOrder())
				.isEqualTo(Ordered.HIGHEST_PRECEDENCE + 500);
			assertThat(context.getBean(ScopeCaptureAdvisor.class).resolution())
				.isSameAs(context.getBean(ScopeResolution.class));
			assertThat(context.getBean(UsageAdvisor.class).getOrder()).isEqualTo(10_800);
		});
	}

	@Test
	void whenMemoSizeIsSetThenTheTokenCounterIsBoundByIt() {
		this.runner.withPropertyValues("ai.resource.tokens.memo-size=64KB").run((context) -> {
			TokenCounter counter = context.getBean(TokenCounter.class);
			// about 1.7 MB of memo entries: all kept under the default bound
			for (int i = 0; i < 10_000; i++) {
				counter.countText("message " + i, EncodingType.O200K_BASE);
			}
			assertThat(counter.memoRetainedBytes()).isLessThanOrEqualTo(64 * 1024).isGreaterThan(32 * 1024);
		});
	}

	@Test
	void whenMemoSizeIsZeroThenTheTokenCounterRemembersNothing() {
		this.runner.withPropertyValues("ai.resource.tokens.memo-size=0").run((context) -> {
			TokenCounter counter = context.getBean(TokenCounter.class);
			assertThat(counter.countText("How far is the moon?", EncodingType.O200K_BASE)).isPositive();
			assertThat(counter.memoRetainedBytes()).isZero();
		});
	}

	@Test
	void whenMemoSizeIsNotSetThenItIsTheCountersDefault() {
		assertThat(new TokensProperties().getMemoSize().toBytes()).isEqualTo(TokenCounter.DEFAULT_MEMO_SIZE_BYTES);
	}

	@Test
	void whenCustomizerRunsThenAdvisorsAreAddedToTheBuilder() {
		this.runner.run((context) -> {
			ChatClientCustomizer customizer = context.getBean("resourceChatClientCustomizer",
					ChatClientCustomizer.class);
			ChatClient.Builder builder = org.mockito.Mockito.mock(ChatClient.Builder.class);

			customizer.customize(builder);

			org.mockito.Mockito.verify(builder).defaultAdvisors(context.getBean(ResourceAdvisors.class).asList());
		});
	}

	@Test
	void whenUserDefinesBeansThenOursBackOff() {
		this.runner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context.getBean(ScopeResolver.class)).isSameAs(context.getBean(UserBeans.class).resolver);
			assertThat(context.getBean(TokenCounter.class)).isSameAs(UserBeans.COUNTER);
			assertThat(context).hasSingleBean(UsageLedger.class).doesNotHaveBean(InMemoryUsageLedger.class);
		});
	}

	@Test
	void whenUserDefinesScopeCaptureAdvisorThenOursBacksOff() {
		this.runner.withUserConfiguration(UserScopeCapture.class).run((context) -> {
			assertThat(context).hasSingleBean(ScopeCaptureAdvisor.class);
			assertThat(context.getBean(ScopeCaptureAdvisor.class)).isSameAs(UserScopeCapture.ADVISOR);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).contains(UserScopeCapture.ADVISOR);
		});
	}

	@Test
	void whenScopeOrderIsConfiguredThenTheCaptureAdvisorMoves() {
		this.runner.withPropertyValues("ai.resource.scope.order=-5")
			.run((context) -> assertThat(context.getBean(ScopeCaptureAdvisor.class).getOrder()).isEqualTo(-5));
	}

	@Test
	void whenDisabledThenNothingIsConfigured() {
		this.runner.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ResourceAdvisors.class)
				.doesNotHaveBean(UsageAdvisor.class)
				.doesNotHaveBean(ScopeCaptureAdvisor.class)
				.doesNotHaveBean(PricingCatalog.class)
				.doesNotHaveBean("resourceChatClientCustomizer"));
	}

	@Test
	void whenUsageDisabledThenNoUsageAdvisor() {
		this.runner.withPropertyValues("ai.resource.usage.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(UsageAdvisor.class).doesNotHaveBean(UsageLedger.class);
			// The scope is part of the spine, for every feature that keeps per-scope
			// state.
			assertThat(context.getBean(ResourceAdvisors.class).asList())
				.containsExactly(context.getBean(ScopeCaptureAdvisor.class));
		});
	}

	@Test
	void whenOrderIsConfiguredThenAdvisorMoves() {
		this.runner.withPropertyValues("ai.resource.usage.order=42")
			.run((context) -> assertThat(context.getBean(UsageAdvisor.class).getOrder()).isEqualTo(42));
	}

	@Test
	void whenSpringAiIsMissingThenNothingIsConfigured() {
		this.runner.withClassLoader(new FilteredClassLoader(ChatClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ResourceAdvisors.class));
	}

	@Test
	void whenMeterRegistryExistsThenUsageMetricsAreRecorded() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(UsageMetrics.class));
	}

	@Test
	void whenMicrometerIsPresentThenScopeFailuresAreBoundAsAMeter() {
		this.runner.run((context) -> {
			MeterRegistry registry = new SimpleMeterRegistry();
			context.getBean("resourceScopeMetrics", MeterBinder.class).bindTo(registry);

			assertThat(registry.get("ai.resource.scope.failures").functionCounter().count()).isZero();
		});
	}

	@Test
	void whenUserDefinesScopeMetricsThenOursBacksOff() {
		MeterBinder userBinder = (registry) -> {
		};
		this.runner.withBean("resourceScopeMetrics", MeterBinder.class, () -> userBinder)
			.run((context) -> assertThat(context.getBean("resourceScopeMetrics")).isSameAs(userBinder));
	}

	@Test
	void whenMicrometerIsMissingThenUsageStillWorks() {
		this.runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(UsageAdvisor.class)
				.hasSingleBean(ScopeCaptureAdvisor.class)
				.doesNotHaveBean(UsageMetrics.class)
				.doesNotHaveBean("resourceScopeMetrics"));
	}

	@Test
	void whenEndpointIsExposedThenItExists() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=aiusage")
			.run((context) -> assertThat(context).hasSingleBean(UsageEndpoint.class));
	}

	@Test
	void whenEndpointIsNotExposedThenItDoesNotExist() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(UsageEndpoint.class));
	}

	@Test
	void whenActuatorIsMissingThenNoEndpoint() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=aiusage")
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).hasSingleBean(UsageAdvisor.class)
				.doesNotHaveBean(UsageEndpoint.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		static final TokenCounter COUNTER = TokenCounter.create();

		final ScopeResolver resolver = (request) -> CallScope.NONE;

		@Bean
		ScopeResolver userScopeResolver() {
			return this.resolver;
		}

		@Bean
		TokenCounter userTokenCounter() {
			return COUNTER;
		}

		@Bean
		UsageLedger userLedger() {
			return new UserLedger();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserScopeCapture {

		static final ScopeCaptureAdvisor ADVISOR = new ScopeCaptureAdvisor(
				new ScopeResolution(ScopeResolver.fromAdvisorParams()), 7);

		@Bean
		ScopeCaptureAdvisor userScopeCaptureAdvisor() {
			return ADVISOR;
		}

	}

	static final class UserLedger implements UsageLedger {

		private final InMemoryUsageLedger delegate = new InMemoryUsageLedger(5, java.time.Clock.systemUTC());

		@Override
		public void onUsage(io.github.airesource.core.usage.UsageRecord record, CallScope scope) {
			this.delegate.onUsage(record, scope);
		}

		@Override
		public io.github.airesource.core.usage.ledger.UsageReport report(int topScopes) {
			return this.delegate.report(topScopes);
		}

		@Override
		public java.util.Optional<io.github.airesource.core.usage.ledger.UsageSummary> scope(
				io.github.airesource.core.scope.ScopeType type, String id) {
			return this.delegate.scope(type, id);
		}

	}

}
