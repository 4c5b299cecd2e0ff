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
 * A resolver runs once per call, in the {@link ScopeCaptureAdvisor}, which comes before
 * any advisor that moves the call to another thread (Spring AI's chat-memory advisors do,
 * for streams): for {@code call()} on the calling thread, for {@code stream()} on the
 * thread that subscribes to the stream. So thread-bound state such as a security context,
 * a request-scoped bean or the MDC is visible to it. In a client built without the
 * capture advisor, the first resource advisor that needs the scope resolves it, on
 * whatever thread that advisor runs.
 *
 * <p>
 * A resolver that throws does not fail the call: the call is counted as
 * {@link CallScope#NONE anonymous} (see {@link ScopeResolution}). Still, write resolvers
 * that return {@code null} ids for what they cannot tell rather than throw.
 */
@FunctionalInterface
public interface ScopeResolver {

	/**
	 * Resolve the scope of a call.
	 * @param request the request as it enters the scope capture advisor, with the advisor
	 * parameters in its context
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
