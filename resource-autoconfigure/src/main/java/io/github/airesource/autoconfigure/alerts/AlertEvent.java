package io.github.airesource.autoconfigure.alerts;

import io.github.airesource.core.alerts.AlertTransition;

import org.springframework.context.ApplicationEvent;

/**
 * Published for every alert transition (fired, repeated, resolved); listen with
 * {@code @EventListener} to page someone or throttle a feature.
 */
public class AlertEvent extends ApplicationEvent {

	private final AlertTransition transition;

	/**
	 * Create an event.
	 * @param source the evaluator
	 * @param transition the transition
	 */
	public AlertEvent(Object source, AlertTransition transition) {
		super(source);
		this.transition = transition;
	}

	/**
	 * Return the transition.
	 * @return the transition
	 */
	public AlertTransition getTransition() {
		return this.transition;
	}

}
