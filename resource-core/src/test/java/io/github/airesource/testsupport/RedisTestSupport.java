package io.github.airesource.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Assumptions;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Finds a Redis for tests: {@code REDIS_URL} if set; else 127.0.0.1:6379 if it answers;
 * else a {@code redis-server} from the {@code PATH}, started on a free port for this JVM.
 * Without any, tests that need Redis are skipped with a message that says how to get one,
 * except when {@code CI=true}, where they fail.
 *
 * <p>
 * Each test takes its own key prefix ({@link #uniquePrefix()}) and deletes only its own
 * keys ({@link #deleteKeys(String)}), so tests can share a server, also with other users.
 */
public final class RedisTestSupport {

	private static final String INSTALL_HINT = "Install Redis (Debian/Ubuntu: 'apt install redis-server', "
			+ "macOS: 'brew install redis') so that 'redis-server' is on the PATH, or point REDIS_URL at a server.";

	private static volatile URI found;

	private static volatile String unavailable;

	private RedisTestSupport() {
	}

	/**
	 * Return the Redis URL for tests, skipping (or failing on CI) when there is none.
	 * @return a {@code redis://host:port} URL
	 */
	public static synchronized String url() {
		if (found == null && unavailable == null) {
			locate();
		}
		if (found == null) {
			throw unavailable(unavailable);
		}
		return found.toString();
	}

	/**
	 * Skip the test for want of Redis, or fail it on CI, saying how to install Redis.
	 * @param reason why there is no Redis
	 * @return never returns normally; typed so that callers can {@code throw} it
	 */
	static RuntimeException unavailable(String reason) {
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new AssertionError("Redis is required on CI: " + reason + ". " + INSTALL_HINT);
		}
		return Assumptions.abort("Redis not available (" + reason + "). " + INSTALL_HINT);
	}

	/**
	 * Return the host of the test Redis.
	 * @return the host
	 */
	public static String host() {
		return URI.create(url()).getHost();
	}

	/**
	 * Return the port of the test Redis.
	 * @return the port
	 */
	public static int port() {
		return URI.create(url()).getPort();
	}

	/**
	 * Return a key prefix no other test uses.
	 * @return the prefix, ending with a colon
	 */
	public static String uniquePrefix() {
		return "airesource-test:" + UUID.randomUUID() + ":";
	}

	/**
	 * Create and start a connection factory for the test Redis; the caller destroys it.
	 * @return the started factory
	 */
	public static LettuceConnectionFactory connectionFactory() {
		URI uri = URI.create(url());
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(uri.getHost(), uri.getPort());
		if (uri.getUserInfo() != null && uri.getUserInfo().contains(":")) {
			configuration.setPassword(uri.getUserInfo().substring(uri.getUserInfo().indexOf(':') + 1));
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Delete every key under a prefix.
	 * @param prefix the prefix a test used
	 * @return the number of keys deleted
	 */
	public static long deleteKeys(String prefix) {
		RedisClient client = RedisClient.create(url());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			long deleted = 0;
			ScanCursor cursor = ScanCursor.INITIAL;
			do {
				KeyScanCursor<String> page = connection.sync()
					.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
				if (!page.getKeys().isEmpty()) {
					deleted += connection.sync().del(page.getKeys().toArray(String[]::new));
				}
				cursor = page;
			}
			while (!cursor.isFinished());
			return deleted;
		}
		finally {
			client.shutdown();
		}
	}

	/**
	 * Return every key under a prefix with its remaining time to live in milliseconds.
	 * @param prefix the prefix
	 * @return pairs of key and TTL (-1 means no TTL)
	 */
	public static List<KeyTtl> keysWithTtl(String prefix) {
		RedisClient client = RedisClient.create(url());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			List<KeyTtl> keys = new ArrayList<>();
			ScanCursor cursor = ScanCursor.INITIAL;
			do {
				KeyScanCursor<String> page = connection.sync()
					.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
				for (String key : page.getKeys()) {
					keys.add(new KeyTtl(key, connection.sync().pttl(key)));
				}
				cursor = page;
			}
			while (!cursor.isFinished());
			return keys;
		}
		finally {
			client.shutdown();
		}
	}

	/**
	 * Empty the server's script cache, as a Redis restart or failover does.
	 */
	public static void flushScripts() {
		RedisClient client = RedisClient.create(url());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().scriptFlush();
		}
		finally {
			client.shutdown();
		}
	}

	/**
	 * Return a loopback port where nothing listens, to stand for a Redis that is down.
	 * @return the port
	 */
	public static int deadPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void locate() {
		String env = System.getenv("REDIS_URL");
		if (env != null && !env.isBlank()) {
			found = URI.create(env);
			return;
		}
		if (RedisServerProcess.answersPing("127.0.0.1", 6379)) {
			found = URI.create("redis://127.0.0.1:6379");
			return;
		}
		String started = startRedisServer();
		if (started != null) {
			found = URI.create(started);
		}
	}

	private static String startRedisServer() {
		try {
			RedisServerProcess server = RedisServerProcess.launch(deadPort(), false);
			Runtime.getRuntime().addShutdownHook(new Thread(server::close));
			return server.url();
		}
		catch (IllegalStateException ex) {
			unavailable = (ex.getCause() != null) ? "no Redis at 127.0.0.1:6379 and " + ex.getMessage()
					: ex.getMessage();
			return null;
		}
	}

	/**
	 * A key and its remaining time to live.
	 *
	 * @param key the key
	 * @param ttlMillis the TTL in milliseconds, -1 without one
	 */
	public record KeyTtl(String key, long ttlMillis) {
	}

}
