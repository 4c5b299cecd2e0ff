package io.github.airesource.autoconfigure;

import java.time.Duration;

import io.github.airesource.autoconfigure.admission.JointAdmissionAutoConfiguration;
import io.github.airesource.autoconfigure.alerts.AlertsAutoConfiguration;
import io.github.airesource.autoconfigure.alerts.AlertsEndpointAutoConfiguration;
import io.github.airesource.autoconfigure.budget.BudgetAutoConfiguration;
import io.github.airesource.autoconfigure.cache.SemanticCacheAutoConfiguration;
import io.github.airesource.autoconfigure.budget.BudgetEndpointAutoConfiguration;
import io.github.airesource.autoconfigure.cache.CacheEndpointAutoConfiguration;
import io.github.airesource.autoconfigure.cache.CacheMetricsAutoConfiguration;
import io.github.airesource.autoconfigure.cache.ToolCacheAutoConfiguration;
import io.github.airesource.autoconfigure.cache.ResponseCacheAutoConfiguration;
import io.github.airesource.autoconfigure.concurrency.ConcurrencyAutoConfiguration;
import io.github.airesource.autoconfigure.guard.GuardAutoConfiguration;
import io.github.airesource.autoconfigure.history.HistoryAutoConfiguration;
import io.github.airesource.autoconfigure.pool.PoolAutoConfiguration;
import io.github.airesource.autoconfigure.pricing.PricingAutoConfiguration;
import io.github.airesource.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import io.github.airesource.autoconfigure.redis.ResourceRedisAutoConfiguration;
import io.github.airesource.autoconfigure.routing.RoutingAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageEndpointAutoConfiguration;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;

import org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration;
import org.springframework.ai.model.openai.autoconfigure.OpenAiChatAutoConfiguration;
import org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration;
import org.springframework.ai.retry.autoconfigure.SpringAiRetryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.http.client.HttpClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Context runners with the auto-configurations an application gets from the starter,
 * Spring AI's OpenAI starter, Actuator metrics and Spring Data Redis.
 */
public final class ResourceAutoConfigurations {

	private ResourceAutoConfigurations() {
	}

	/**
	 * Return AI Resource's own auto-configurations.
	 * @return the auto-configurations
	 */
	public static AutoConfigurations resource() {
		return AutoConfigurations.of(ResourceAutoConfiguration.class, PricingAutoConfiguration.class,
				ResourceRedisAutoConfiguration.class, UsageAutoConfiguration.class,
				UsageEndpointAutoConfiguration.class, BudgetAutoConfiguration.class,
				BudgetEndpointAutoConfiguration.class, RateLimitAutoConfiguration.class,
				JointAdmissionAutoConfiguration.class, ConcurrencyAutoConfiguration.class, GuardAutoConfiguration.class,
				PoolAutoConfiguration.class, HistoryAutoConfiguration.class, ToolCacheAutoConfiguration.class,
				CacheEndpointAutoConfiguration.class, CacheMetricsAutoConfiguration.class,
				ResponseCacheAutoConfiguration.class, RoutingAutoConfiguration.class,
				SemanticCacheAutoConfiguration.class, AlertsAutoConfiguration.class,
				AlertsEndpointAutoConfiguration.class);
	}

	/**
	 * Return a runner with AI Resource, the OpenAI chat model pointed at a wire server,
	 * the chat client builder, Boot's HTTP clients (which the starter's connection pool
	 * configures), metrics and the endpoint infrastructure. Retries are off so that error
	 * tests see one request.
	 * @param baseUrl the OpenAI base URL
	 * @return the runner
	 */
	public static ApplicationContextRunner withOpenAi(String baseUrl) {
		return new ApplicationContextRunner().withConfiguration(resource())
			.withConfiguration(AutoConfigurations.of(ChatClientAutoConfiguration.class,
					OpenAiChatAutoConfiguration.class, ToolCallingAutoConfiguration.class,
					SpringAiRetryAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					EndpointAutoConfiguration.class, RedisAutoConfiguration.class,
					HttpMessageConvertersAutoConfiguration.class, HttpClientAutoConfiguration.class,
					RestClientAutoConfiguration.class, WebClientAutoConfiguration.class))
			.withPropertyValues("spring.ai.openai.api-key=test-key", "spring.ai.openai.base-url=" + baseUrl,
					"spring.ai.openai.chat.options.model=gpt-4o-mini",
					"spring.ai.openai.chat.options.stream-usage=true", "spring.ai.retry.max-attempts=1",
					"management.endpoints.web.exposure.include=aiusage");
	}

	/**
	 * Wait until the budget settlements and rate-limit corrections an instance sent to
	 * Redis without waiting have their answers: a call returns before they do, so another
	 * instance's read right after a race may otherwise still see a reservation.
	 * @param context the instance
	 */
	public static void awaitSentToRedis(ApplicationContext context) {
		context.getBeanProvider(BudgetAdvisor.class)
			.ifAvailable((advisor) -> assertThat(advisor.flushSettlements(Duration.ofSeconds(30))).isTrue());
		context.getBeanProvider(RateLimitAdvisor.class)
			.ifAvailable((advisor) -> assertThat(advisor.awaitAdjustments(Duration.ofSeconds(30))).isTrue());
	}

}
