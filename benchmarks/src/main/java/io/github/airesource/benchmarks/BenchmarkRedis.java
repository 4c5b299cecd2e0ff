package io.github.airesource.benchmarks;

import java.net.URI;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis the Redis benchmarks run against: {@code REDIS_URL} or 127.0.0.1:6379.
 */
final class BenchmarkRedis {

	private BenchmarkRedis() {
	}

	static URI url() {
		return URI.create(System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
	}

	/**
	 * Create and start a connection factory, as an application's would be.
	 * @return the started factory
	 */
	static LettuceConnectionFactory connectionFactory() {
		URI url = url();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(url.getHost(), url.getPort()));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Delete every key a benchmark wrote under its prefix.
	 * @param prefix the prefix
	 */
	static void deleteKeys(String prefix) {
		RedisClient client = RedisClient.create(url().toString());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			ScanCursor cursor = ScanCursor.INITIAL;
			do {
				KeyScanCursor<String> page = connection.sync()
					.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
				if (!page.getKeys().isEmpty()) {
					connection.sync().unlink(page.getKeys().toArray(String[]::new));
				}
				cursor = page;
			}
			while (!cursor.isFinished());
		}
		finally {
			client.shutdown();
		}
	}

}
