package io.github.airesource.autoconfigure.budget;

import io.github.airesource.core.budget.BudgetAdvisor;

import org.springframework.context.SmartLifecycle;

/**
 * On shutdown, sends the budget settlements that wait for a retry (their first attempt
 * failed, such as while Redis was down) while Redis can still be reached, so that a
 * restart does not lose what those calls used.
 *
 * <p>
 * Stops after the web server has finished the requests in flight and before Spring Data
 * Redis's connection factory (phase 0) closes the connections, in the same phase as the
 * usage ledger's writer; at most {@link BudgetAdvisor#DEFAULT_FLUSH_TIMEOUT}, and without
 * waiting when nothing waits.
 */
class BudgetSettlementsLifecycle implements SmartLifecycle {

	/** After the web server and before the Redis connection factory. */
	static final int PHASE = DEFAULT_PHASE - 4096;

	private final BudgetAdvisor advisor;

	private volatile boolean running;

	BudgetSettlementsLifecycle(BudgetAdvisor advisor) {
		this.advisor = advisor;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		try {
			this.advisor.flushSettlements(BudgetAdvisor.DEFAULT_FLUSH_TIMEOUT);
		}
		finally {
			this.running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
