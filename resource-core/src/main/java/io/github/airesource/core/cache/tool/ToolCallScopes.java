package io.github.airesource.core.cache.tool;

import java.util.Map;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.scope.CallScope;

import org.springframework.ai.chat.model.ToolContext;
import org.springframework.lang.Nullable;

/**
 * Finds who a tool call is made for in its {@link ToolContext}.
 *
 * <p>
 * Spring AI runs tools inside the chat model (or a {@code ToolCallAdvisor}), where the
 * advisor chain's request context is out of reach: the only per-call data that reaches a
 * tool is the {@code ToolContext}, built from the prompt's
 * {@code ToolCallingChatOptions.getToolContext()}. The {@link ToolScopeAdvisor} therefore
 * puts the call's {@link CallScope} there under {@value ResourceContextKeys#SCOPE}. An
 * application that calls a chat model without a chat client may name the tenant and user
 * itself with the string entries {@value ResourceContextKeys#TENANT} and
 * {@value ResourceContextKeys#USER} of its tool context. A call with neither has no known
 * scope, and its results are never cached: caching them under an anonymous key could
 * serve one tenant another's result.
 */
public final class ToolCallScopes {

	private ToolCallScopes() {
	}

	/**
	 * Return the scope of a tool call.
	 * @param toolContext the tool context, or {@code null}
	 * @return the scope, or {@code null} when the context names nobody
	 */
	@Nullable
	public static CallScope of(@Nullable ToolContext toolContext) {
		if (toolContext == null) {
			return null;
		}
		return of(toolContext.getContext());
	}

	/**
	 * Return the scope held by a tool-context map.
	 * @param context the map
	 * @return the scope, or {@code null} when the map names nobody
	 */
	@Nullable
	public static CallScope of(Map<String, Object> context) {
		if (context.get(ResourceContextKeys.SCOPE) instanceof CallScope scope) {
			return scope;
		}
		Object tenant = context.get(ResourceContextKeys.TENANT);
		if (tenant != null) {
			return CallScope.of(tenant, context.get(ResourceContextKeys.USER), null);
		}
		return null;
	}

}
