package io.github.airesource.core.cache.tool;

import java.util.HashMap;
import java.util.Map;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CacheControls;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.util.Assert;

/**
 * Carries who a call is made for to the tools it runs, so that the
 * {@link ToolResultCache} can keep one tenant's tool results from another.
 *
 * <p>
 * Tools run inside the chat model (or a {@code ToolCallAdvisor}), which sees the prompt
 * but not the advisor chain's request context; the only per-call data Spring AI hands a
 * tool is the {@code ToolContext} built from the prompt's tool context. For a call that
 * carries tools (tool callbacks or tool names), this advisor puts a copy of the prompt's
 * options with the call's {@link CallScope} added to the tool context under
 * {@value ResourceContextKeys#SCOPE}, together with the cache controls the caller passed
 * ({@value ResourceContextKeys#CACHE_BYPASS}, {@value ResourceContextKeys#CACHE_REFRESH},
 * {@value ResourceContextKeys#CACHE_NAMESPACE}). Tools can read the scope there too.
 * Nothing leaves the process: tool contexts are never sent to the model.
 *
 * <p>
 * A {@code ToolCallAdvisor} sees the scope when it runs after this advisor (a higher
 * order than {@link #DEFAULT_ORDER}); tools run by one placed before it, with no scope in
 * their context, are not cached.
 */
public final class ToolScopeAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.TOOL_SCOPE;

	private static final String[] CONTROLS = { ResourceContextKeys.CACHE_BYPASS, ResourceContextKeys.CACHE_REFRESH,
			ResourceContextKeys.CACHE_NAMESPACE };

	private final ScopeResolution scopeResolution;

	private final int order;

	/**
	 * Create the advisor at the {@link #DEFAULT_ORDER default order}.
	 * @param scopeResolution resolves the scope when no earlier advisor did
	 */
	public ToolScopeAdvisor(ScopeResolution scopeResolution) {
		this(scopeResolution, DEFAULT_ORDER);
	}

	/**
	 * Create the advisor.
	 * @param scopeResolution resolves the scope when no earlier advisor did
	 * @param order the position in the advisor chain
	 */
	public ToolScopeAdvisor(ScopeResolution scopeResolution, int order) {
		Assert.notNull(scopeResolution, "scopeResolution must not be null");
		this.scopeResolution = scopeResolution;
		this.order = order;
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		return chain.nextCall(withScope(request));
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.defer(() -> chain.nextStream(withScope(request)));
	}

	/**
	 * Return the request with the call's scope and cache controls in its tool context, or
	 * the request itself when it carries no tools.
	 * @param request the request
	 * @return the request to pass on
	 * @throws IllegalArgumentException when a cache control has a value of the wrong
	 * kind, naming it
	 */
	public ChatClientRequest withScope(ChatClientRequest request) {
		if (!(request.prompt().getOptions() instanceof ToolCallingChatOptions options)
				|| (options.getToolCallbacks().isEmpty() && options.getToolNames().isEmpty())) {
			return request;
		}
		// Fails the call here, naming the param, rather than inside a tool later.
		CacheControls.of(request.context());
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		Map<String, Object> toolContext = new HashMap<>(options.getToolContext());
		toolContext.put(ResourceContextKeys.SCOPE, scope);
		for (String control : CONTROLS) {
			Object value = request.context().get(control);
			if (value != null) {
				toolContext.put(control, value);
			}
		}
		// The options may be shared with other calls (a client's defaults): never change
		// them in place.
		if (!(options.copy() instanceof ToolCallingChatOptions copy)) {
			return request;
		}
		copy.setToolContext(toolContext);
		// The same context map: values later advisors share stay shared.
		return new ChatClientRequest(new Prompt(request.prompt().getInstructions(), copy), request.context());
	}

	@Override
	public String getName() {
		return "ai.resource.tool-scope";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

}
