package io.github.airesource.autoconfigure;

import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageLedger;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static io.github.airesource.autoconfigure.FailureAnalyses.bindFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invalid {@code ai.resource.*} values stop the application at startup with a message
 * that names the property and says what to write instead.
 */
class InvalidConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"ai.resource.usage.max-tracked-scopes=0 | ai.resource.usage.max-tracked-scopes | such as 10000",
			"ai.resource.usage.max-tracked-scopes=-5 | ai.resource.usage.max-tracked-scopes | such as 10000",
			"ai.resource.usage.redis-retention=0s | ai.resource.usage.redis-retention | such as 30d",
			"ai.resource.tokens.memo-size=-1MB | ai.resource.tokens.memo-size | such as 64MB",
			"ai.resource.pricing.models.my-model.input=-1 | ai.resource.pricing.models[my-model].input | per one million tokens",
			"ai.resource.pricing.models.my-model.input=1 | ai.resource.pricing.models[my-model].output | for example 2.50",
			"ai.resource.pricing.models.my-model.output=1 | ai.resource.pricing.models[my-model].input | for example 2.50" })
	void whenValueIsInvalidThenStartupFailsNamingThePropertyAndTheFix(String setting, String property, String advice) {
		this.runner.withPropertyValues(setting).run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: " + property);
			assertThat(analysis.getAction()).contains(advice);
		});
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "ai.resource.usage.max-tracked-scopes=lots | lots | to int",
			"ai.resource.tokens.memo-size=huge | huge | DataSize",
			"ai.resource.usage.store=mongo | mongo | The following values are valid",
			"ai.resource.budget.enabled=true,ai.resource.budget.limits.x.period=daily | daily | java.time.Duration" })
	void whenAValueIsOfTheWrongTypeThenStartupFailsWithBootsBindingFailureNamingThePropertyAndTheValue(String settings,
			String value, String expected) {
		String property = settings.substring(settings.lastIndexOf(',') + 1, settings.lastIndexOf('='));
		this.runner.withPropertyValues(settings.split(",")).run((context) -> {
			FailureAnalysis analysis = bindFailure(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains(property).contains("\"" + value + "\"");
			assertThat(analysis.getDescription() + analysis.getAction()).contains(expected);
		});
	}

	@Test
	void whenCachedPriceIsNegativeThenStartupFails() {
		this.runner
			.withPropertyValues("ai.resource.pricing.models.m.input=1", "ai.resource.pricing.models.m.output=1",
					"ai.resource.pricing.models.m.cached-input=-0.5")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("Property: ai.resource.pricing.models[m].cached-input")
				.contains("Value: \"-0.5\""));
	}

	@Test
	void whenModelNameHasDotsInBracketsThenItStaysOneKey() {
		this.runner
			.withPropertyValues("ai.resource.pricing.models[gpt-4.1].input=3.00",
					"ai.resource.pricing.models[gpt-4.1].output=12.00")
			.run((context) -> assertThat(
					context.getBean(PricingCatalog.class).cost("gpt-4.1-2025-04-14", 1_000_000, 0, 0))
				.isEqualByComparingTo("3.00"));
	}

	@Test
	void whenRedisStoreWithoutRedisConnectionThenStartupFailsSayingWhatToAdd() {
		this.runner.withPropertyValues("ai.resource.usage.store=redis").run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: ai.resource.usage.store")
				.contains("Value: \"redis\"");
			assertThat(analysis.getAction()).contains("spring-boot-starter-data-redis")
				.contains("ai.resource.usage.store=memory");
		});
	}

	@Test
	void whenRedisStoreWithoutRedisOnTheClassPathThenStartupFailsSayingWhatToAdd() {
		this.runner.withPropertyValues("ai.resource.usage.store=redis")
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getAction())
				.contains("spring-boot-starter-data-redis"));
	}

	@Test
	void whenRedisPropertiesAreInvalidThenStartupFails() {
		this.runner.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
			.withPropertyValues("ai.resource.redis.timeout=0ms")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("Property: ai.resource.redis.timeout"));
		this.runner.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
			.withPropertyValues("ai.resource.redis.key-prefix=")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getAction()).contains("airesource:"));
	}

	@Test
	void whenKeyPrefixHasBracesThenStartupFailsSayingWhy() {
		this.runner.withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class))
			.withPropertyValues("ai.resource.redis.key-prefix=app{1}:")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: ai.resource.redis.key-prefix")
					.contains("Value: \"app{1}:\"")
					.contains("Reason: braces would change the Redis Cluster hash tags");
				assertThat(analysis.getAction()).contains("without '{' and '}'");
			});
	}

	@Test
	void whenTheValueContainsAColonAndSpaceThenTheReasonIsStillShownWhole() {
		InvalidResourcePropertyException failure = new InvalidResourcePropertyException("ai.resource.redis.key-prefix",
				"a: b", "the reason: with a colon", "Do this.");

		FailureAnalysis analysis = new InvalidResourcePropertyFailureAnalyzer().analyze(failure);

		assertThat(analysis.getDescription()).contains("Value: \"a: b\"").contains("Reason: the reason: with a colon");
	}

	@Test
	void whenRedisStoreWithoutRedisOnTheClassPathButWithAUserLedgerThenStartupSucceeds() {
		this.runner.withPropertyValues("ai.resource.usage.store=redis")
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.withBean(UsageLedger.class, () -> new InMemoryUsageLedger(10, Clock.systemUTC()))
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(UsageLedger.class));
	}

	@Test
	void whenRedisStoreOverJedisThenStartupFailsNamingTheClientType() {
		this.runner.withBean(RedisConnectionFactory.class, () -> org.mockito.Mockito.mock(RedisConnectionFactory.class))
			.withPropertyValues("ai.resource.usage.store=redis")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("Property: spring.data.redis.client-type"));
	}

	@Test
	void whenMemoryStoreOverJedisThenStartupSucceeds() {
		this.runner.withBean(RedisConnectionFactory.class, () -> org.mockito.Mockito.mock(RedisConnectionFactory.class))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	private static FailureAnalysis analyze(Throwable failure) {
		assertThat(failure).as("the context should have failed to start").isNotNull();
		FailureAnalysis analysis = new InvalidResourcePropertyFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("analysis of " + failure).isNotNull();
		return analysis;
	}

}
