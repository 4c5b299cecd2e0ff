package io.github.airesource.autoconfigure.cache;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.autoconfigure.guard.GuardAutoConfiguration;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.cache.tool.CachingToolCallbackResolver;
import io.github.airesource.core.cache.tool.CachingToolCallingManager;
import io.github.airesource.core.cache.tool.ToolResultCache;
import io.github.airesource.core.cache.tool.ToolScopeAdvisor;
import io.github.airesource.core.guard.ToolIterationGuard;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.resolution.StaticToolCallbackResolver;
import org.springframework.ai.tool.resolution.ToolCallbackResolver;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the tool-result cache is configured, what it caches, and how it goes around the
 * application's tool calling manager and tool resolver.
 */
class ToolCacheAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withBean(ToolCallingManager.class, () -> ToolCallingManager.builder().build())
		.withBean(ToolCallbackResolver.class, () -> new StaticToolCallbackResolver(List.of()));

	private final ApplicationContextRunner enabled = this.runner.withPropertyValues(
			"ai.resource.cache.tool.enabled=true", "ai.resource.cache.tool.tools.get_current_weather=5m",
			"ai.resource.cache.tool.tools.stock_price=");

	@Test
	void whenTheToolCacheIsNotEnabledThenNothingOfItExistsAndTheManagerIsUntouched() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(ToolResultCache.class)
				.doesNotHaveBean(ToolScopeAdvisor.class)
				.doesNotHaveBean(ToolCachePostProcessor.class);
			assertThat(context.getBean(ToolCallingManager.class)).isNotInstanceOf(CachingToolCallingManager.class);
			assertThat(context.getBean(ToolCallbackResolver.class)).isNotInstanceOf(CachingToolCallbackResolver.class);
		});
	}

	@Test
	void whenEnabledThenTheListedToolsAreCachedEachWithItsTtlOrTheDefault() {
		this.enabled.withPropertyValues("ai.resource.cache.tool.ttl=2m").run((context) -> {
			ToolResultCache cache = context.getBean(ToolResultCache.class);
			assertThat(cache.toolNames()).containsExactlyInAnyOrder("get_current_weather", "stock_price");
			assertThat(cache.ttlOf("get_current_weather")).isEqualTo(Duration.ofMinutes(5));
			assertThat(cache.ttlOf("stock_price")).isEqualTo(Duration.ofMinutes(2));
			assertThat(cache.caches("unlisted")).isFalse();
			assertThat(cache.name()).isEqualTo("tool");
		});
	}

	@Test
	void whenEnabledThenTheManagerAndTheResolverAnswerFromTheCacheAndTheScopeAdvisorJoinsTheChainFirst() {
		this.enabled.run((context) -> {
			ToolResultCache cache = context.getBean(ToolResultCache.class);
			assertThat(context.getBean(ToolCallingManager.class)).isInstanceOfSatisfying(
					CachingToolCallingManager.class, (manager) -> assertThat(manager.cache()).isSameAs(cache));
			assertThat(context.getBean(ToolCallbackResolver.class)).isInstanceOf(CachingToolCallbackResolver.class);
			ToolScopeAdvisor advisor = context.getBean(ToolScopeAdvisor.class);
			assertThat(advisor.getOrder()).isEqualTo(10_050);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), advisor, context.getBean(UsageAdvisor.class));
		});
	}

	@Test
	void whenTheOrderIsSetThenTheScopeAdvisorTakesIt() {
		this.enabled.withPropertyValues("ai.resource.cache.tool.order=10020")
			.run((context) -> assertThat(context.getBean(ToolScopeAdvisor.class).getOrder()).isEqualTo(10_020));
	}

	@Test
	void whenTheToolIterationGuardIsOnTooThenTheGuardIsOutermostAndTheCacheInsideIt() {
		this.enabled.withConfiguration(AutoConfigurations.of(GuardAutoConfiguration.class))
			.withPropertyValues("ai.resource.guard.max-tool-iterations=3")
			.run((context) -> {
				assertThat(context.getBean(ToolCallingManager.class)).isInstanceOfSatisfying(ToolIterationGuard.class,
						(guard) -> assertThat(guard.delegate()).isInstanceOf(CachingToolCallingManager.class));
			});
	}

	@Test
	void whenTheManagerBeanIsAlreadyGuardedAndCachingThenItIsNotWrappedAgain() {
		ToolResultCache own = ToolResultCache.builder().tool("x").build();
		this.enabled
			.withBean("guarded", ToolCallingManager.class,
					() -> new ToolIterationGuard(
							new CachingToolCallingManager(ToolCallingManager.builder().build(), own), 2))
			.run((context) -> assertThat(context.getBean("guarded")).isInstanceOfSatisfying(ToolIterationGuard.class,
					(guard) -> assertThat(((CachingToolCallingManager) guard.delegate()).cache()).isSameAs(own)));
	}

	@Test
	void whenTheApplicationDefinesItsOwnCacheThenTheAutoConfiguredOneBacksOff() {
		ToolResultCache own = ToolResultCache.builder().tool("mine").build();
		this.enabled.withBean(ToolResultCache.class, () -> own).run((context) -> {
			assertThat(context.getBean(ToolResultCache.class)).isSameAs(own);
			assertThat(((CachingToolCallingManager) context.getBean(ToolCallingManager.class)).cache()).isSameAs(own);
		});
	}

	@Test
	void whenAiResourceIsDisabledThenTheToolCacheIsOffToo() {
		this.enabled.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ToolResultCache.class)
				.doesNotHaveBean(ToolCachePostProcessor.class));
	}

	@Test
	void whenSpringAiChatClientIsMissingThenTheToolCacheBacksOff() {
		this.enabled.withClassLoader(new FilteredClassLoader(ChatClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ToolResultCache.class));
	}

	@Test
	void whenAToolTtlIsNotADurationThenStartupFailsNamingTheProperty() {
		this.enabled.withPropertyValues("ai.resource.cache.tool.tools.get_current_weather=soon")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("ai.resource.cache.tool.tools.get_current_weather"));
	}

	@Test
	void whenAToolTtlIsNotPositiveThenStartupFailsNamingTheProperty() {
		this.enabled.withPropertyValues("ai.resource.cache.tool.tools.get_current_weather=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("ai.resource.cache.tool.tools.get_current_weather"));
	}

	@Test
	void whenTheMaxSizeIsNotPositiveThenStartupFailsNamingTheProperty() {
		this.enabled.withPropertyValues("ai.resource.cache.tool.max-size=0B")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("ai.resource.cache.tool.max-size"));
	}

}
