package io.github.airesource.autoconfigure.cache;

import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.cache.InMemoryResponseCacheStore;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.cache.ResponseCacheAdvisor;
import io.github.airesource.core.cache.ResponseCacheStore;
import io.github.airesource.core.cache.redis.RedisResponseCacheStore;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;

class ResponseCacheAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	private final ApplicationContextRunner enabled = this.runner
		.withPropertyValues("ai.resource.cache.response.enabled=true");

	@Test
	void whenTheResponseCacheIsNotEnabledThenNoCacheBeanExists() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ResponseCacheAdvisor.class)
			.doesNotHaveBean(ResponseCacheStore.class));
	}

	@Test
	void whenEnabledThenTheAdvisorJoinsTheChainOutsideTheUsageAdvisorOverAMemoryStoreThatIsAManagedCache() {
		this.enabled.run((context) -> {
			assertThat(context).hasSingleBean(ResponseCacheAdvisor.class)
				.hasSingleBean(InMemoryResponseCacheStore.class);
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), context.getBean(ResponseCacheAdvisor.class),
					context.getBean(UsageAdvisor.class));
			assertThat(context.getBean(ResponseCacheAdvisor.class).getOrder()).isEqualTo(10_400);
			assertThat(context.getBeansOfType(ManagedCache.class).values()).singleElement()
				.isSameAs(context.getBean(ResponseCacheStore.class))
				.satisfies((cache) -> assertThat(cache.name()).isEqualTo("response"));
		});
	}

	@Test
	void whenTheMasterSwitchIsOffThenNoCacheBeanExists() {
		this.enabled.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ResponseCacheAdvisor.class));
	}

	@Test
	void whenTheUserDefinesAStoreOrAnAdvisorThenTheirsIsUsed() {
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(5, 5000);
		this.enabled.withBean(ResponseCacheStore.class, () -> store).run((context) -> {
			assertThat(context.getBean(ResponseCacheStore.class)).isSameAs(store);
			assertThat(context.getBean(ResponseCacheAdvisor.class).store()).isSameAs(store);
		});
		ResponseCacheAdvisor advisor = ResponseCacheAdvisor.builder(store).build();
		this.enabled.withBean(ResponseCacheAdvisor.class, () -> advisor)
			.run((context) -> assertThat(context.getBean(ResponseCacheAdvisor.class)).isSameAs(advisor));
	}

	@Test
	void whenTheStoreIsRedisThenTheRedisStoreAndItsConnectionWarmUpAreUsed() {
		this.enabled.withPropertyValues("ai.resource.cache.response.store=redis")
			.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(RedisResponseCacheStore.class)
				.hasBean("resourceResponseCacheRedisWarmUp"));
	}

	@Test
	void whenRedisStoreWithoutARedisConnectionThenStartupFailsSayingWhatToAdd() {
		this.enabled.withPropertyValues("ai.resource.cache.response.store=redis")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("Property: ai.resource.cache.response.store"));
		this.enabled.withPropertyValues("ai.resource.cache.response.store=redis")
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: ai.resource.cache.response.store");
				assertThat(analysis.getAction()).contains("spring-boot-starter-data-redis")
					.contains("ai.resource.cache.response.store=memory");
			});
	}

	@Test
	void whenAPropertyIsInvalidThenStartupFailsNamingIt() {
		this.enabled.withPropertyValues("ai.resource.cache.response.max-temperature=3")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("ai.resource.cache.response.max-temperature"));
	}

}
