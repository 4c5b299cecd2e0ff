package io.github.airesource.testsupport;

import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

/**
 * Counts Redis round trips from both ends: the commands a Lettuce client completed, by
 * type, through the {@link ClientResources} it is built with (Lettuce records a command
 * before it completes its future, so a count read after a call includes it), and the
 * commands a server ran, from its {@code INFO commandstats}. Give the client resources to
 * a connection factory (or as a bean, which Spring Boot's Redis auto-configuration uses),
 * and read the server of a test's own ({@link RedisServerProcess}), which no other build
 * talks to.
 */
public final class RedisCommandCounts implements AutoCloseable {

	private final Map<String, LongAdder> completed = new ConcurrentHashMap<>();

	private final ClientResources clientResources = DefaultClientResources.builder()
		.commandLatencyRecorder(new Recorder())
		.build();

	/**
	 * Return the client resources that count the commands of every client built with
	 * them.
	 * @return the client resources
	 */
	public ClientResources clientResources() {
		return this.clientResources;
	}

	/**
	 * Return how many commands of each type the clients completed so far.
	 * @return the counts by command type, such as {@code EVALSHA}
	 */
	public Map<String, Long> sent() {
		Map<String, Long> counts = new HashMap<>();
		this.completed.forEach((type, count) -> counts.put(type, count.sum()));
		return counts;
	}

	/**
	 * Return how many commands of each type the clients completed since an earlier
	 * reading of {@link #sent()}.
	 * @param before the earlier reading
	 * @return the counts by command type, without the types that did not change
	 */
	public Map<String, Long> sentSince(Map<String, Long> before) {
		Map<String, Long> since = sent();
		since.replaceAll((type, count) -> count - before.getOrDefault(type, 0L));
		since.values().removeIf((count) -> count == 0);
		return since;
	}

	/**
	 * Return how many scripts a server ran so far ({@code EVALSHA} and {@code EVAL}).
	 * @param server the server
	 * @return the count
	 */
	public static long scriptsRun(RedisServerProcess server) {
		return serverCalls(server, "evalsha") + serverCalls(server, "eval");
	}

	/**
	 * Return how many times a server ran a command so far.
	 * @param server the server
	 * @param command the command in lower case, such as {@code evalsha}
	 * @return the count
	 */
	public static long serverCalls(RedisServerProcess server, String command) {
		RedisClient client = RedisClient.create(server.url());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			for (String line : connection.sync().info("commandstats").split("\r?\n")) {
				if (line.startsWith("cmdstat_" + command + ":calls=")) {
					String calls = line.substring(line.indexOf('=') + 1);
					return Long.parseLong(calls.substring(0, calls.indexOf(',')));
				}
			}
			return 0;
		}
		finally {
			client.shutdown();
		}
	}

	@Override
	public void close() {
		this.clientResources.shutdown(0, 1, TimeUnit.SECONDS);
	}

	private final class Recorder implements CommandLatencyRecorder {

		@Override
		public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
				long firstResponseLatency, long completionLatency) {
			RedisCommandCounts.this.completed.computeIfAbsent(commandType.toString(), (type) -> new LongAdder())
				.increment();
		}

	}

}
