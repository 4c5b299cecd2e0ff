package io.github.airesource.core.routing;

/**
 * Told of every call the routing advisor sends to another model, such as a metrics
 * binder. Called on the caller's thread before the call goes on: implementations must be
 * quick and must not throw.
 */
@FunctionalInterface
public interface RoutingListener {

	/**
	 * Take one routing decision.
	 * @param decision how the call was routed
	 */
	void onRouted(RoutingDecision decision);

}
