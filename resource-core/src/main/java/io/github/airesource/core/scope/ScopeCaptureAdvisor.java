package io.github.airesource.core.scope;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.util.Assert;

/**
 * Resolves who a call is made for on the caller's thread, before any advisor moves the
 * call to another thread, and stores the {@link CallScope} in the request context under
 * {@value ResourceContextKeys#SCOPE}, where every later resource advisor finds it.
 *
 * <p>
 * Spring AI's chat-memory advisors, like every {@code BaseAdvisor}, publish a stream on
 * another scheduler before calling the next advisor, so a resolver called by an inner
 * advisor would not see thread-bound state such as a security context. This advisor
 * therefore runs first ({@link ResourceAdvisorOrder#SCOPE_CAPTURE}). For streams it
 * resolves in {@link #adviseStream} itself, which Spring AI calls when the stream is
 * subscribed, on the subscribing thread. The resolver runs once per call, through a
 * {@link ScopeResolution} that never lets it fail the call.
 */
public final class ScopeCaptureAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.SCOPE_CAPTURE;

	private final ScopeResolution resolution;

	private final int order;

	/**
	 * Create an advisor at the {@link #DEFAULT_ORDER default order}.
	 * @param resolution resolves the scope of each call
	 */
	public ScopeCaptureAdvisor(ScopeResolution resolution) {
		this(resolution, DEFAULT_ORDER);
	}

	/**
	 * Create an advisor.
	 * @param resolution resolves the scope of each call
	 * @param order the position in the advisor chain; keep it before every advisor that
	 * changes threads
	 */
	public ScopeCaptureAdvisor(ScopeResolution resolution, int order) {
		Assert.notNull(resolution, "resolution must not be null");
		this.resolution = resolution;
		this.order = order;
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		CallScopes.of(request, this.resolution);
		return chain.nextCall(request);
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		// Not deferred: this runs on the subscribing thread, the later advisors may not.
		CallScopes.of(request, this.resolution);
		return chain.nextStream(request);
	}

	/**
	 * Return the resolution this advisor uses, with its failure count.
	 * @return the resolution
	 */
	public ScopeResolution resolution() {
		return this.resolution;
	}

	@Override
	public String getName() {
		return "ai.resource.scope";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

}
