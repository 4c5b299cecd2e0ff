package io.github.airesource.core.scope;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.support.RequestContexts;
import org.springframework.ai.chat.client.ChatClientRequest;

/**
 * Resolves a call's scope once and keeps it in the request context for the other
 * advisors.
 */
public final class CallScopes {

	private CallScopes() {
	}

	/**
	 * Return the scope of the call, resolving and storing it on first use.
	 * @param request the request
	 * @param resolver the resolver to use when the context holds no scope yet
	 * @return the scope
	 */
	public static CallScope of(ChatClientRequest request, ScopeResolver resolver) {
		if (request.context().get(ResourceContextKeys.SCOPE) instanceof CallScope scope) {
			return scope;
		}
		CallScope scope = resolver.resolve(request);
		RequestContexts.putIfPossible(request, ResourceContextKeys.SCOPE, (scope != null) ? scope : CallScope.NONE);
		return (scope != null) ? scope : CallScope.NONE;
	}

}
