package io.github.airesource.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				throw new AssertionError("Redis is required on CI: " + unavailable + ". " + INSTALL_HINT);
			}
			Assumptions.abort("Redis not available (" + unavailable + "). " + INSTALL_HINT);
		}
		return found.toString();
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
		if (answersPing("127.0.0.1", 6379)) {
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
			int port = deadPort();
			Path dir = Files.createTempDirectory("airesource-redis");
			Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
					"--save", "", "--appendonly", "no", "--dir", dir.toString())
				.redirectErrorStream(true)
				.redirectOutput(dir.resolve("redis.log").toFile())
				.start();
			Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
			for (int attempt = 0; attempt < 100; attempt++) {
				if (answersPing("127.0.0.1", port)) {
					return "redis://127.0.0.1:" + port;
				}
				if (!process.isAlive()) {
					break;
				}
				process.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
			}
			process.destroy();
			unavailable = "redis-server did not answer on port " + port;
			return null;
		}
		catch (IOException ex) {
			unavailable = "no Redis at 127.0.0.1:6379 and no redis-server on the PATH";
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			unavailable = "interrupted while starting redis-server";
			return null;
		}
	}

	private static boolean answersPing(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.read(reply);
			return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
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
