package io.github.airesource.core.scope;

import io.github.airesource.core.ResourceContextKeys;
import org.springframework.ai.chat.client.ChatClientRequest;

/**
 * Decides who a call is made for. The default reads the advisor parameters
 * {@value ResourceContextKeys#USER}, {@value ResourceContextKeys#TENANT} and the
 * chat-memory conversation id; an application can supply its own, for example one that
 * reads the Spring Security principal.
 *
 * <p>
 * Resolvers run on the thread that starts the call, also for streaming calls, so
 * thread-bound state such as a security context is visible to them.
 */
@FunctionalInterface
public interface ScopeResolver {

	/**
	 * Resolve the scope of a call.
	 * @param request the request as it enters the resource advisors
	 * @return the scope, never {@code null}
	 */
	CallScope resolve(ChatClientRequest request);

	/**
	 * Return the resolver that reads the advisor parameters.
	 * @return the default resolver
	 */
	static ScopeResolver fromAdvisorParams() {
		return (request) -> CallScope.of(request.context().get(ResourceContextKeys.TENANT),
				request.context().get(ResourceContextKeys.USER),
				request.context().get(ResourceContextKeys.CONVERSATION));
	}

}
