package io.github.airesource.core;

import org.springframework.ai.chat.memory.ChatMemory;

/**
 * Names of the advisor parameters and request/response context entries that the resource
 * advisors read and write.
 *
 * <p>
 * These names are public API: applications pass the caller's identity with
 * {@code .advisors(a -> a.param(ResourceContextKeys.USER, "alice"))} and read results
 * from {@code call().chatClientResponse().context()}.
 */
public final class ResourceContextKeys {

	/** Advisor parameter naming the user a call is made for. */
	public static final String USER = "ai.resource.user";

	/** Advisor parameter naming the tenant a call is made for. */
	public static final String TENANT = "ai.resource.tenant";

	/**
	 * Advisor parameter naming the conversation; the same key Spring AI's chat memory
	 * uses.
	 */
	public static final String CONVERSATION = ChatMemory.CONVERSATION_ID;

	/**
	 * Advisor parameter giving a call's priority in the concurrency queue: {@code high},
	 * {@code normal} (the default) or {@code low}.
	 */
	public static final String PRIORITY = "ai.resource.priority";

	/** Advisor parameter with free text that routing rules can match. */
	public static final String TIER = "ai.resource.tier";

	/**
	 * Advisor parameter: {@code false} (or {@code off}) keeps this call on the model it
	 * names, skipping every routing rule and the context-window rule; {@code true} (or
	 * {@code on}) is the same as not passing it.
	 */
	public static final String ROUTING = "ai.resource.routing";

	/**
	 * Advisor parameter: {@code true} skips the caches for this call, both lookup and
	 * store.
	 */
	public static final String CACHE_BYPASS = "ai.resource.cache.bypass";

	/**
	 * Advisor parameter: {@code true} skips the cache lookup but stores the fresh answer,
	 * replacing what the cache held.
	 */
	public static final String CACHE_REFRESH = "ai.resource.cache.refresh";

	/**
	 * Advisor parameter: how long this call's answer stays cached, a {@code Duration}, a
	 * string such as {@code 30s}, {@code 5m} or {@code PT1H}, or a number of seconds.
	 */
	public static final String CACHE_TTL = "ai.resource.cache.ttl";

	/**
	 * Advisor parameter: a namespace that partitions the caches further than tenant (and
	 * user); calls in different namespaces never share entries.
	 */
	public static final String CACHE_NAMESPACE = "ai.resource.cache.namespace";

	/**
	 * Advisor parameter: a semantic similarity threshold for this call; it may only raise
	 * the configured one, a lower value is ignored.
	 */
	public static final String CACHE_THRESHOLD = "ai.resource.cache.threshold";

	/**
	 * Request context entry holding the prompt's {@code PromptTokens}: the first advisor
	 * that needs the count stores it, later advisors reuse it so a prompt is counted once
	 * per call.
	 */
	public static final String PROMPT_TOKENS = "ai.resource.prompt-tokens";

	/** Request context entry holding the resolved {@code CallScope} of the call. */
	public static final String SCOPE = "ai.resource.scope";

	/** Response context entry holding the call's {@code UsageRecord}. */
	public static final String USAGE = "ai.resource.usage";

	/**
	 * Response context entry holding the remaining capacity and reset time of the rate
	 * limits that applied to the call, for {@code RateLimit} and {@code Retry-After}
	 * headers.
	 */
	public static final String RATE_LIMIT = "ai.resource.rate-limit";

	/**
	 * Response context entry holding the {@code RoutingDecision} of a call the routing
	 * advisor sent to another model; absent when the call kept its model.
	 */
	public static final String ROUTING_DECISION = "ai.resource.routing.decision";

	/** Response context entry telling how the response cache treated the call. */
	public static final String CACHE = "ai.resource.cache";

	private ResourceContextKeys() {
	}

}
