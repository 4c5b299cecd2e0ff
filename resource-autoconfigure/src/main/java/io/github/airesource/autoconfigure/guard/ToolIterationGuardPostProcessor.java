package io.github.airesource.autoconfigure.guard;

import io.github.airesource.core.guard.ToolIterationGuard;

import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Puts a {@link ToolIterationGuard} around every {@link ToolCallingManager} bean, so that
 * chat models that run tools themselves (internal tool execution, where the advisor chain
 * sees one call however many rounds the model runs) stop after
 * {@code ai.resource.guard.max-tool-iterations} rounds. A {@code ToolCallAdvisor} given
 * the same bean is guarded by it too.
 */
public class ToolIterationGuardPostProcessor implements BeanPostProcessor {

	private final int maxIterations;

	public ToolIterationGuardPostProcessor(int maxIterations) {
		this.maxIterations = maxIterations;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof ToolCallingManager manager && !(bean instanceof ToolIterationGuard)) {
			return new ToolIterationGuard(manager, this.maxIterations);
		}
		return bean;
	}

}
