package io.github.airesource.core.scope;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.support.RequestContexts;
import org.springframework.ai.chat.client.ChatClientRequest;

/**
 * Resolves a call's scope once and keeps it in the request context
 * ({@value ResourceContextKeys#SCOPE}) for the other advisors.
 *
 * <p>
 * The {@link ScopeCaptureAdvisor} does it first, on the caller's thread, and every later
 * advisor reuses what it stored: Spring AI copies the request context into each request
 * an advisor derives. Where no capture advisor runs (a client built by hand without it),
 * the first advisor that asks resolves the scope, on whatever thread it runs.
 */
public final class CallScopes {

	private CallScopes() {
	}

	/**
	 * Return the scope of the call, resolving and storing it on first use.
	 * @param request the request
	 * @param resolution resolves the scope when the context holds none yet
	 * @return the scope, {@link CallScope#NONE} when the resolver failed
	 */
	public static CallScope of(ChatClientRequest request, ScopeResolution resolution) {
		if (request.context().get(ResourceContextKeys.SCOPE) instanceof CallScope scope) {
			return scope;
		}
		CallScope scope = resolution.resolve(request);
		RequestContexts.putIfPossible(request, ResourceContextKeys.SCOPE, scope);
		return scope;
	}

}
