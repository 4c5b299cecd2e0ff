package io.github.airesource.autoconfigure.memory;

import io.github.airesource.core.memory.MemoryMonitor;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link MemoryMonitor} (thresholds set, JVM listeners registered) when the
 * context starts, and stops it (listeners removed, thresholds put back) when the context
 * stops or closes; no management call happens while beans are created.
 */
class MemoryMonitorLifecycle implements SmartLifecycle {

	private final MemoryMonitor monitor;

	MemoryMonitorLifecycle(MemoryMonitor monitor) {
		this.monitor = monitor;
	}

	@Override
	public void start() {
		this.monitor.start();
	}

	@Override
	public void stop() {
		this.monitor.stop();
	}

	@Override
	public boolean isRunning() {
		return this.monitor.isRunning();
	}

}
