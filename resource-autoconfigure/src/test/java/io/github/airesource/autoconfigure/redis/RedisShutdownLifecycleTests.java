package io.github.airesource.autoconfigure.redis;

import org.junit.jupiter.api.Test;

import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

class RedisShutdownLifecycleTests {

	@Test
	void whenTheContextStopsThenLastWritesRunAfterTheWebServerAndBeforeTheRedisConnectionFactory() {
		// Spring stops the highest phase first.
		int webServerStop = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1024;
		int connectionFactory = new LettuceConnectionFactory().getPhase();

		assertThat(RedisShutdownLifecycle.PHASE).isLessThan(webServerStop)
			.isLessThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE)
			.isGreaterThan(connectionFactory);
	}

}
