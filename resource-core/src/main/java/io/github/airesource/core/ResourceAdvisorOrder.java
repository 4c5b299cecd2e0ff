package io.github.airesource.core;

import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.core.Ordered;

/**
 * The order of every resource advisor in the chain, outer (lower) to inner (higher).
 *
 * <p>
 * All of them but {@link #SCOPE_CAPTURE} run after Spring AI's chat-memory advisors
 * ({@link Advisor#DEFAULT_CHAT_MEMORY_PRECEDENCE_ORDER}) and after the advisors Spring AI
 * places at order 0 (question-answer/RAG, safeguard, logging), so they see the full
 * prompt that will be sent; and well before {@code Ordered.LOWEST_PRECEDENCE}, where the
 * model call advisors sit. Gaps leave room for applications to put their own advisors
 * between ours. No two advisors share an order; each can be moved with its {@code order}
 * property.
 */
public final class ResourceAdvisorOrder {

	/**
	 * Captures who a call is made for. The only resource advisor below 10,000, and on
	 * purpose: scope resolvers may read thread-bound state (a security context, a
	 * request-scoped bean, the MDC), so it must run on the caller's thread, before the
	 * chat-memory advisors and every other {@code BaseAdvisor}, which move streams to
	 * another thread before calling the next advisor. It needs no prompt, so it loses
	 * nothing by running first. Not {@code Ordered.HIGHEST_PRECEDENCE} itself, so that an
	 * application can still put an advisor before it.
	 */
	public static final int SCOPE_CAPTURE = Ordered.HIGHEST_PRECEDENCE + 500;

	private static final int BASE = 10_000;

	/**
	 * Carries the caller's scope into the tool context, where the tool-result cache finds
	 * it; first of the resource advisors after the chat-memory ones, so that a
	 * {@code ToolCallAdvisor} placed after it runs tools with the scope too.
	 */
	public static final int TOOL_SCOPE = BASE + 50;

	/** Rejects new calls while the heap is under pressure. */
	public static final int MEMORY_GUARD = BASE + 100;

	/** Trims and summarizes chat history. */
	public static final int HISTORY = BASE + 200;

	/** Routes calls to a cheaper or fallback model. */
	public static final int ROUTING = BASE + 300;

	/** Enforces prompt-size and output-size limits. */
	public static final int PROMPT_GUARD = BASE + 350;

	/** Answers repeated requests from the exact-match response cache. */
	public static final int RESPONSE_CACHE = BASE + 400;

	/** Answers similar requests from the semantic cache. */
	public static final int SEMANTIC_CACHE = BASE + 450;

	/** Reserves budget before the call and settles it after. */
	public static final int BUDGET = BASE + 500;

	/** Applies request and token rate limits. */
	public static final int RATE_LIMIT = BASE + 600;

	/** Bounds concurrent calls with a waiting queue. */
	public static final int CONCURRENCY = BASE + 700;

	/** Records usage and cost of the call that reaches the model. */
	public static final int USAGE = BASE + 800;

	/** Bounds the duration of the model call. */
	public static final int TIMEOUT = BASE + 850;

	private ResourceAdvisorOrder() {
	}

}
