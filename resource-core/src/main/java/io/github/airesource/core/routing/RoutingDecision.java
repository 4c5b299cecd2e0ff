package io.github.airesource.core.routing;

import io.github.airesource.core.ResourceContextKeys;

/**
 * How the routing advisor sent one call, in the response context under
 * {@value ResourceContextKeys#ROUTING_DECISION} when it sent it to another model.
 *
 * @param requestedModel the model the call was made for
 * @param model the model it was sent to
 * @param reason {@value #RULE} when a routing rule matched, {@value #CONTEXT_WINDOW} when
 * the prompt did not fit the model's context window
 * @param rule the name of the matching rule, or of the context-window rule
 */
public record RoutingDecision(String requestedModel, String model, String reason, String rule) {

	/** The reason of a call sent on by a routing rule. */
	public static final String RULE = "rule";

	/** The reason of a call sent on because it did not fit its model's context window. */
	public static final String CONTEXT_WINDOW = "context-window";

}
