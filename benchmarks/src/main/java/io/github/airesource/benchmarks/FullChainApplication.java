package io.github.airesource.benchmarks;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

/**
 * The application of {@link FullChainBenchmark}: every auto-configuration on the class
 * path (the starter's, Spring AI's chat client and chat memory, Boot's Redis and
 * metrics), a no-op {@link ChatModel} and a hash-based {@link EmbeddingModel}, and
 * properties that turn every {@code ai.resource.*} feature on. Spring AI's observations
 * are left out ({@code ObservationAutoConfiguration} excluded): they would wrap every
 * advisor of any chain, ours or not, and the bare client that serves as the baseline has
 * none.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration(
		excludeName = "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration")
class FullChainApplication {

	/** The model every call names; routing sends it to {@link #ROUTED_MODEL}. */
	static final String MODEL = "gpt-4o-mini";

	/** The model of the routing rule, same encoding as {@link #MODEL}. */
	static final String ROUTED_MODEL = "gpt-4o";

	@Bean
	ChatModel chatModel() {
		return NoOpChatModel.reportingUsage();
	}

	@Bean
	EmbeddingModel embeddingModel() {
		return new HashEmbeddingModel();
	}

	/**
	 * Start the application.
	 * @param properties its properties
	 * @return the refreshed context
	 */
	static AnnotationConfigApplicationContext start(Map<String, Object> properties) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("full-chain", properties));
		context.register(FullChainApplication.class);
		context.refresh();
		return context;
	}

	/**
	 * Return properties that turn every feature on with limits no call reaches: memory
	 * guard (on by default), history trimming, routing, prompt guard with an output cap
	 * and a timeout, exact and semantic caches, a per-user token budget and a global cost
	 * budget, a per-user request limit and a global token limit, the bulkhead, usage.
	 * @param redisKeyPrefix {@code null} for in-memory stores, else the Redis key prefix
	 * of the run, and every store that can live in Redis does (usage, budget, rate limit,
	 * response cache and history)
	 * @return the properties
	 */
	static Map<String, Object> properties(String redisKeyPrefix) {
		Map<String, Object> properties = new LinkedHashMap<>();
		// The module also holds the gateway comparison's front, which brings Spring AI's
		// OpenAI starter: its models stay off here, where the model is the no-op bean.
		for (String model : List.of("chat", "embedding", "image", "audio.speech", "audio.transcription",
				"moderation")) {
			properties.put("spring.ai.model." + model, "none");
		}
		properties.put("ai.resource.history.enabled", "true");
		properties.put("ai.resource.history.max-tokens", "2000");
		properties.put("ai.resource.routing.enabled", "true");
		properties.put("ai.resource.routing.rules[0].min-prompt-tokens", "100");
		properties.put("ai.resource.routing.rules[0].tools", "false");
		properties.put("ai.resource.routing.rules[0].model", ROUTED_MODEL);
		properties.put("ai.resource.guard.max-prompt-tokens", "100000");
		properties.put("ai.resource.guard.max-output-tokens", "512");
		properties.put("ai.resource.guard.timeout", "30s");
		properties.put("ai.resource.cache.response.enabled", "true");
		properties.put("ai.resource.cache.semantic.enabled", "true");
		properties.put("ai.resource.cache.semantic.max-entries", "1000");
		properties.put("ai.resource.budget.enabled", "true");
		properties.put("ai.resource.budget.limits.per-user-daily.scope", "user");
		properties.put("ai.resource.budget.limits.per-user-daily.max-tokens", "1000000000000");
		properties.put("ai.resource.budget.limits.global-daily.scope", "global");
		properties.put("ai.resource.budget.limits.global-daily.max-cost", "1000000000");
		properties.put("ai.resource.rate-limit.enabled", "true");
		properties.put("ai.resource.rate-limit.limits.user-rpm.scope", "user");
		properties.put("ai.resource.rate-limit.limits.user-rpm.requests", "1000000000000");
		properties.put("ai.resource.rate-limit.limits.global-tpm.scope", "global");
		properties.put("ai.resource.rate-limit.limits.global-tpm.tokens", "1000000000000000");
		properties.put("ai.resource.concurrency.enabled", "true");
		properties.put("ai.resource.concurrency.max-concurrent", "64");
		if (redisKeyPrefix != null) {
			URI redis = BenchmarkRedis.url();
			properties.put("spring.data.redis.host", redis.getHost());
			properties.put("spring.data.redis.port", String.valueOf(redis.getPort()));
			properties.put("ai.resource.redis.key-prefix", redisKeyPrefix);
			properties.put("ai.resource.usage.store", "redis");
			properties.put("ai.resource.budget.store", "redis");
			properties.put("ai.resource.rate-limit.store", "redis");
			properties.put("ai.resource.cache.response.store", "redis");
		}
		// -Dai.resource.…=… (e.g. -jvmArgsAppend -Dai.resource.guard.timeout=0s) turns a
		// feature off or changes it, to see what it costs.
		System.getProperties().forEach((name, value) -> {
			if (name.toString().startsWith("ai.resource.")) {
				properties.put(name.toString(), value.toString());
			}
		});
		return properties;
	}

}
