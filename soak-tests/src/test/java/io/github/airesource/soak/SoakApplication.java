package io.github.airesource.soak;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One instance of the application under soak: the starter, Spring AI's OpenAI starter,
 * Actuator and Spring Data Redis, auto-configured as a user's application is, with every
 * feature of the starter on and every store that can be in Redis in Redis. No web server:
 * callers use the instance's {@code ChatClient.Builder}, and the checks read its
 * endpoints and stores as beans.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SoakApplication {

	/** Budget window of the per-user token budget. */
	static final Duration USER_BUDGET_PERIOD = Duration.ofSeconds(10);

	/** Tokens a user may use per {@link #USER_BUDGET_PERIOD}. */
	static final long USER_BUDGET_TOKENS = 1_500;

	/** Budget window of the per-tenant cost budget. */
	static final Duration TENANT_BUDGET_PERIOD = Duration.ofSeconds(30);

	/** USD a tenant may spend per {@link #TENANT_BUDGET_PERIOD}. */
	static final String TENANT_BUDGET_COST = "0.005";

	/** Period of the fleet's request rate limit. */
	static final Duration GLOBAL_RATE_PERIOD = Duration.ofSeconds(1);

	/** Requests the fleet may send per {@link #GLOBAL_RATE_PERIOD}. */
	static final long GLOBAL_RATE_REQUESTS = 40;

	/** Period of the per-tenant request rate limit. */
	static final Duration TENANT_RATE_PERIOD = Duration.ofSeconds(5);

	/** Requests a tenant may send per {@link #TENANT_RATE_PERIOD}. */
	static final long TENANT_RATE_REQUESTS = 60;

	/** Period of the per-user request rate limit. */
	static final Duration USER_RATE_PERIOD = Duration.ofSeconds(5);

	/**
	 * Requests a user may send per {@link #USER_RATE_PERIOD}: fewer than a user's callers
	 * ask for on any machine, so that this limit refuses calls however slow the machine.
	 */
	static final long USER_RATE_REQUESTS = 2;

	/** Longest a call may take in the model. */
	static final Duration TIMEOUT = Duration.ofSeconds(3);

	/** Lease of an unsettled budget reservation. */
	static final Duration RESERVATION_TTL = Duration.ofSeconds(15);

	/**
	 * Bound on each of the library's Redis calls: twice the default, as Redis shares two
	 * cores with both instances and the callers here; a round trip that takes longer
	 * fails (a budget settlement that fails is retried until Redis takes it, see the
	 * budget checks).
	 */
	static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);

	/** Most tokens a prompt may have. */
	static final int MAX_PROMPT_TOKENS = 1_500;

	/** Most output tokens a call may ask for. */
	static final int MAX_OUTPUT_TOKENS = 128;

	/** Most calls in the model at once, per instance. */
	static final int MAX_CONCURRENT = 4;

	private SoakApplication() {
	}

	/**
	 * Start one instance.
	 * @param name the instance's name, for its logs
	 * @param redisUrl the shared Redis
	 * @param provider the model provider
	 * @param embeddings the semantic cache's embedding model
	 * @return the running instance
	 */
	static ConfigurableApplicationContext start(String name, String redisUrl, LoopbackProvider provider,
			WordBagEmbeddingModel embeddings) {
		return new SpringApplicationBuilder(SoakApplication.class).web(WebApplicationType.NONE)
			.registerShutdownHook(false)
			.properties(properties(name, redisUrl, provider.baseUrl()))
			.initializers((context) -> context.getBeanFactory().registerSingleton("embeddingModel", embeddings))
			.run();
	}

	private static Map<String, Object> properties(String name, String redisUrl, String baseUrl) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.application.name", name);
		properties.put("spring.main.banner-mode", "off");
		properties.put("spring.jmx.enabled", "false");
		// Outages and faults log at WARN by design; the summary table tells the story.
		properties.put("logging.level.root", "ERROR");
		// Spring AI logs every failed stream (cancelled, timed out, refused) at ERROR.
		properties.put("logging.level.org.springframework.ai.chat.model.MessageAggregator", "OFF");
		properties.put("spring.data.redis.url", redisUrl);
		properties.put("spring.data.redis.connect-timeout", "1s");
		properties.put("spring.ai.openai.api-key", "soak-key");
		properties.put("spring.ai.openai.base-url", baseUrl);
		properties.put("spring.ai.openai.chat.options.model", "gpt-4o-mini");
		properties.put("spring.ai.openai.chat.options.stream-usage", "true");
		// Cacheable requests: the response cache keeps answers at or below temperature 0.
		properties.put("spring.ai.openai.chat.options.temperature", "0.0");
		properties.put("spring.ai.retry.max-attempts", "1");
		for (String model : new String[] { "embedding", "image", "audio.speech", "audio.transcription",
				"moderation" }) {
			properties.put("spring.ai.model." + model, "none");
		}
		properties.put("management.endpoints.web.exposure.include",
				"health,aiusage,aibudgets,ailimits,aicaches,aialerts");
		properties.put("ai.resource.redis.key-prefix", "soak:");
		properties.put("ai.resource.redis.timeout", REDIS_TIMEOUT.toMillis() + "ms");
		properties.put("ai.resource.redis.failure-mode", "fail-closed");
		properties.put("ai.resource.usage.store", "redis");
		properties.put("ai.resource.budget.enabled", "true");
		properties.put("ai.resource.budget.store", "redis");
		properties.put("ai.resource.budget.reservation-ttl", RESERVATION_TTL.toSeconds() + "s");
		properties.put("ai.resource.budget.limits.per-user.scope", "user");
		properties.put("ai.resource.budget.limits.per-user.period", USER_BUDGET_PERIOD.toSeconds() + "s");
		properties.put("ai.resource.budget.limits.per-user.max-tokens", USER_BUDGET_TOKENS);
		properties.put("ai.resource.budget.limits.per-tenant.scope", "tenant");
		properties.put("ai.resource.budget.limits.per-tenant.period", TENANT_BUDGET_PERIOD.toSeconds() + "s");
		properties.put("ai.resource.budget.limits.per-tenant.max-cost", TENANT_BUDGET_COST);
		properties.put("ai.resource.rate-limit.enabled", "true");
		properties.put("ai.resource.rate-limit.store", "redis");
		properties.put("ai.resource.rate-limit.max-wait", "300ms");
		properties.put("ai.resource.rate-limit.limits.fleet.scope", "global");
		properties.put("ai.resource.rate-limit.limits.fleet.requests", GLOBAL_RATE_REQUESTS);
		properties.put("ai.resource.rate-limit.limits.fleet.period", GLOBAL_RATE_PERIOD.toSeconds() + "s");
		properties.put("ai.resource.rate-limit.limits.tenant.scope", "tenant");
		properties.put("ai.resource.rate-limit.limits.tenant.requests", TENANT_RATE_REQUESTS);
		properties.put("ai.resource.rate-limit.limits.tenant.period", TENANT_RATE_PERIOD.toSeconds() + "s");
		properties.put("ai.resource.rate-limit.limits.user.scope", "user");
		properties.put("ai.resource.rate-limit.limits.user.requests", USER_RATE_REQUESTS);
		properties.put("ai.resource.rate-limit.limits.user.period", USER_RATE_PERIOD.toSeconds() + "s");
		properties.put("ai.resource.rate-limit.limits.user-tokens.scope", "user");
		properties.put("ai.resource.rate-limit.limits.user-tokens.tokens", "20000");
		properties.put("ai.resource.rate-limit.limits.user-tokens.period", "1m");
		properties.put("ai.resource.concurrency.enabled", "true");
		properties.put("ai.resource.concurrency.max-concurrent", MAX_CONCURRENT);
		properties.put("ai.resource.concurrency.max-queue", "4");
		properties.put("ai.resource.concurrency.max-wait", "500ms");
		// A mobile user waiting for an essay holds its one permit until the timeout.
		properties.put("ai.resource.concurrency.per-user", "1");
		properties.put("ai.resource.concurrency.reserved-for-high", "1");
		properties.put("ai.resource.guard.max-prompt-tokens", MAX_PROMPT_TOKENS);
		properties.put("ai.resource.guard.max-output-tokens", MAX_OUTPUT_TOKENS);
		properties.put("ai.resource.guard.timeout", TIMEOUT.toMillis() + "ms");
		properties.put("ai.resource.pool.read-timeout", "20s");
		properties.put("ai.resource.cache.response.enabled", "true");
		properties.put("ai.resource.cache.response.store", "redis");
		properties.put("ai.resource.cache.response.ttl", "10m");
		properties.put("ai.resource.cache.semantic.enabled", "true");
		properties.put("ai.resource.cache.semantic.store", "memory");
		properties.put("ai.resource.history.enabled", "true");
		properties.put("ai.resource.history.max-tokens", "400");
		properties.put("ai.resource.history.trim-to", "0.6");
		properties.put("ai.resource.history.summarize.enabled", "true");
		properties.put("ai.resource.history.summarize.model", LoopbackProvider.SUMMARY_MODEL);
		properties.put("ai.resource.routing.enabled", "true");
		properties.put("ai.resource.routing.rules[0].name", "premium");
		properties.put("ai.resource.routing.rules[0].tier", "premium");
		properties.put("ai.resource.routing.rules[0].model", "gpt-4o");
		properties.put("ai.resource.routing.rules[1].name", "short");
		properties.put("ai.resource.routing.rules[1].max-prompt-tokens", "40");
		properties.put("ai.resource.routing.rules[1].model", "gpt-4.1-mini");
		properties.put("ai.resource.alerts.enabled", "true");
		properties.put("ai.resource.alerts.check-interval", "1s");
		properties.put("ai.resource.alerts.cooldown", "5s");
		properties.put("ai.resource.alerts.thresholds.tokens-per-minute", "20000");
		properties.put("ai.resource.alerts.thresholds.error-rate", "0.05");
		properties.put("ai.resource.alerts.thresholds.budget-used", "0.8");
		return properties;
	}

}
