package io.github.airesource.benchmarks;

import java.util.Arrays;
import java.util.List;

import io.github.airesource.core.ResourceAdvisorOrder;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;

/**
 * An advisor that does nothing but pass the call on: a chain of them at the starter's
 * orders measures what Spring AI's advisor chain itself costs per call (building and
 * sorting the chain, an observation per advisor), the floor under any chain of as many
 * advisors.
 */
final class PassThroughAdvisor implements CallAdvisor, StreamAdvisor {

	/** The orders of the thirteen advisors the full chain has, outer to inner. */
	static final int[] STARTER_ORDERS = { ResourceAdvisorOrder.SCOPE_CAPTURE, ResourceAdvisorOrder.MEMORY_GUARD,
			ResourceAdvisorOrder.HISTORY, ResourceAdvisorOrder.ROUTING, ResourceAdvisorOrder.PROMPT_GUARD,
			ResourceAdvisorOrder.RESPONSE_CACHE, ResourceAdvisorOrder.SEMANTIC_CACHE, ResourceAdvisorOrder.BUDGET,
			ResourceAdvisorOrder.RATE_LIMIT, ResourceAdvisorOrder.CONCURRENCY, ResourceAdvisorOrder.USAGE,
			ResourceAdvisorOrder.TIMEOUT, ResourceAdvisorOrder.TOOL_SCOPE };

	private final int order;

	private final String name;

	/**
	 * Create one at the given place in the chain.
	 * @param order the order
	 */
	PassThroughAdvisor(int order) {
		this.order = order;
		this.name = "pass-through-" + order;
	}

	/**
	 * Return one advisor at each of {@link #STARTER_ORDERS}.
	 * @return the advisors
	 */
	static List<Advisor> starterOrders() {
		return Arrays.stream(STARTER_ORDERS).<Advisor>mapToObj(PassThroughAdvisor::new).toList();
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		return chain.nextCall(request);
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return chain.nextStream(request);
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public int getOrder() {
		return this.order;
	}

}
