package io.github.airesource.core.guard;

/**
 * Thrown when the model asks for tools again after the call already ran
 * {@code ai.resource.guard.max-tool-iterations} rounds of tool calls: a runaway tool loop
 * is stopped instead of paying for model calls without end.
 */
public class ToolIterationLimitException extends RuntimeException {

	private final int maxIterations;

	public ToolIterationLimitException(int maxIterations) {
		super("The model asked for tools again after " + maxIterations
				+ " tool iterations, the most allowed by ai.resource.guard.max-tool-iterations");
		this.maxIterations = maxIterations;
	}

	/**
	 * Return the most tool iterations a call may run.
	 * @return the limit
	 */
	public int maxIterations() {
		return this.maxIterations;
	}

}
