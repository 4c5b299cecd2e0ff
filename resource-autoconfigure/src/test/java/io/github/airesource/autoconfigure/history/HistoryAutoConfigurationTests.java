package io.github.airesource.autoconfigure.history;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.history.ChatModelHistorySummarizer;
import io.github.airesource.core.history.HistoryAdvisor;
import io.github.airesource.core.history.HistoryStore;
import io.github.airesource.core.history.HistorySummarizer;
import io.github.airesource.core.history.InMemoryHistoryStore;
import io.github.airesource.core.history.redis.RedisHistoryStore;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.testsupport.RedisTestSupport;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.airesource.autoconfigure.FailureAnalyses.analyze;
import static org.assertj.core.api.Assertions.assertThat;

class HistoryAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	@Test
	void whenHistoryIsNotEnabledThenNoHistoryBeanExists() {
		this.runner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(HistoryAdvisor.class)
			.doesNotHaveBean(HistoryStore.class)
			.doesNotHaveBean(HistoryProperties.class));
	}

	@Test
	void whenHistoryIsEnabledFalseThenNoHistoryBeanExists() {
		this.runner.withPropertyValues("ai.resource.history.enabled=false", "ai.resource.history.max-tokens=-1")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(HistoryAdvisor.class));
	}

	@Test
	void whenHistoryIsEnabledThenTheAdvisorJoinsTheChainWithTheDesignDefaultsAndAMemoryStore() {
		this.runner.withPropertyValues("ai.resource.history.enabled=true").run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(InMemoryHistoryStore.class)
				.doesNotHaveBean(HistorySummarizer.class);
			HistoryAdvisor advisor = context.getBean(HistoryAdvisor.class);
			assertThat(advisor.maxTokens()).isEqualTo(2000);
			assertThat(advisor.maxMessages()).isZero();
			assertThat(advisor.trimTo()).isEqualTo(0.7);
			assertThat(advisor.getOrder()).isEqualTo(10_200);
			assertThat(advisor.store()).isSameAs(context.getBean(HistoryStore.class));
			assertThat(context.getBean(ResourceAdvisors.class).asList()).containsExactly(
					context.getBean(ScopeCaptureAdvisor.class), advisor, context.getBean(UsageAdvisor.class));
			HistoryProperties properties = context.getBean(HistoryProperties.class);
			assertThat(properties.getSummarize().isEnabled()).isFalse();
			assertThat(properties.getSummarize().getModel()).isEqualTo("gpt-4o-mini");
		});
	}

	@Test
	void whenPropertiesAreSetThenTheAdvisorAndSummarizerTakeThem() {
		this.runner
			.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.history.max-tokens=4000",
					"ai.resource.history.max-messages=40", "ai.resource.history.trim-to=0.5",
					"ai.resource.history.order=10250", "ai.resource.history.summarize.enabled=true",
					"ai.resource.history.summarize.model=gpt-4.1-nano", "ai.resource.history.summarize.timeout=3s")
			.run((context) -> {
				HistoryAdvisor advisor = context.getBean(HistoryAdvisor.class);
				assertThat(advisor.maxTokens()).isEqualTo(4000);
				assertThat(advisor.maxMessages()).isEqualTo(40);
				assertThat(advisor.trimTo()).isEqualTo(0.5);
				assertThat(advisor.getOrder()).isEqualTo(10_250);
				ChatModelHistorySummarizer summarizer = context.getBean(ChatModelHistorySummarizer.class);
				assertThat(summarizer.model()).isEqualTo("gpt-4.1-nano");
				assertThat(summarizer.timeout()).isEqualTo(Duration.ofSeconds(3));
			});
	}

	@ParameterizedTest
	@CsvSource({ "max-tokens,0,4000", "max-tokens,-5,4000", "max-messages,-1,0 for no count limit", "trim-to,0,0.7",
			"trim-to,1.5,0.7", "summarize.timeout,0s,10s", "summarize.model,'',gpt-4o-mini" })
	void whenAValueIsInvalidThenStartupFailsNamingTheProperty(String name, String value, String advice) {
		this.runner.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.history." + name + "=" + value)
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: ai.resource.history." + name);
				assertThat(analysis.getAction()).contains("ai.resource.history." + name).contains(advice);
			});
	}

	@Test
	void whenTheUserDefinesTheBeansThenOursBackOff() {
		HistoryStore store = new InMemoryHistoryStore();
		HistorySummarizer summarizer = (previous, dropped, scope) -> "mine";
		HistoryAdvisor advisor = HistoryAdvisor.builder(123).build();
		this.runner.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.history.summarize.enabled=true")
			.withBean(HistoryStore.class, () -> store)
			.withBean(HistorySummarizer.class, () -> summarizer)
			.run((context) -> {
				assertThat(context).hasSingleBean(HistoryStore.class).doesNotHaveBean(ChatModelHistorySummarizer.class);
				assertThat(context.getBean(HistoryAdvisor.class).store()).isSameAs(store);
			});
		this.runner.withPropertyValues("ai.resource.history.enabled=true")
			.withBean(HistoryAdvisor.class, () -> advisor)
			.run((context) -> assertThat(context.getBean(HistoryAdvisor.class)).isSameAs(advisor));
	}

	@Test
	void whenTheCacheStoreIsRedisThenTheHistoryStateIsInRedis() {
		this.runner.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
			.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.cache.response.store=redis",
					"spring.data.redis.url=" + RedisTestSupport.url())
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(RedisHistoryStore.class));
	}

	@Test
	void whenTheCacheStoreIsRedisWithoutARedisConnectionThenStartupFailsNamingTheStore() {
		this.runner.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.cache.response.store=redis")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("ai.resource.cache.response.store"));
		this.runner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis.connection.lettuce"))
			.withPropertyValues("ai.resource.history.enabled=true", "ai.resource.cache.response.store=redis")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("ai.resource.cache.response.store"));
	}

}
