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
	 * Request context entry holding the prompt's {@code PromptTokens}: the first advisor
	 * that needs the count stores it, later advisors reuse it so a prompt is counted once
	 * per call.
	 */
	public static final String PROMPT_TOKENS = "ai.resource.prompt-tokens";

	/** Request context entry holding the resolved {@code CallScope} of the call. */
	public static final String SCOPE = "ai.resource.scope";

	/** Response context entry holding the call's {@code UsageRecord}. */
	public static final String USAGE = "ai.resource.usage";

	/** Response context entry telling how the response cache treated the call. */
	public static final String CACHE = "ai.resource.cache";

	private ResourceContextKeys() {
	}

}
