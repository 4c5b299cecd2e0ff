package io.github.airesource.core.routing;

import java.util.List;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.lang.Nullable;

/**
 * What the rules may ask of one call, each fact worked out on first use: a call that no
 * token rule reaches is never counted, one that no scope rule reaches is never resolved.
 */
final class RoutingCall {

	private final ChatClientRequest request;

	private final String model;

	private final TokenCounter tokenCounter;

	private final ScopeResolution scopeResolution;

	private int promptTokens = -1;

	@Nullable
	private CallScope scope;

	RoutingCall(ChatClientRequest request, String model, TokenCounter tokenCounter, ScopeResolution scopeResolution) {
		this.request = request;
		this.model = model;
		this.tokenCounter = tokenCounter;
		this.scopeResolution = scopeResolution;
	}

	String model() {
		return this.model;
	}

	/**
	 * Return the prompt's tokens, counted with the encoding of the model the call was
	 * sent to, once: {@link RequestTokens} keeps the count for every later advisor.
	 * @return the tokens
	 */
	int promptTokens() {
		if (this.promptTokens < 0) {
			this.promptTokens = RequestTokens.of(this.request, this.tokenCounter, this.model).total();
		}
		return this.promptTokens;
	}

	boolean hasTools() {
		if (this.request.prompt().getOptions() instanceof ToolCallingChatOptions options) {
			return notEmpty(options.getToolCallbacks())
					|| (options.getToolNames() != null && !options.getToolNames().isEmpty());
		}
		return false;
	}

	@Nullable
	Object param(String name) {
		return this.request.context().get(name);
	}

	CallScope scope() {
		if (this.scope == null) {
			this.scope = CallScopes.of(this.request, this.scopeResolution);
		}
		return this.scope;
	}

	private static boolean notEmpty(@Nullable List<?> list) {
		return list != null && !list.isEmpty();
	}

}
