package io.github.airesource.autoconfigure.redis;

import io.github.airesource.core.redis.ResourceRedis;

import org.springframework.context.SmartLifecycle;

/**
 * Starts connecting AI Resource's Redis access in the background when the context starts,
 * for features that check Redis on the caller's path (budgets): otherwise the first calls
 * after startup would wait for the connection, and under fail-closed be refused if it
 * took longer than {@code ai.resource.redis.timeout}. Startup never waits for Redis, and
 * a Redis that is down at startup is only noticed by the calls.
 */
public class RedisConnectionWarmUp implements SmartLifecycle {

	private final ResourceRedis redis;

	private volatile boolean running;

	public RedisConnectionWarmUp(ResourceRedis redis) {
		this.redis = redis;
	}

	@Override
	public void start() {
		this.redis.connectInBackground();
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
