package io.github.airesource.core.ratelimit;

import java.math.BigDecimal;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.testsupport.RedisServerProcess;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.RedisTestSupport.KeyTtl;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The contract against Redis, where time passes for real (Redis server time), plus what
 * only Redis has: round trips, TTLs, several instances, outages and restarts.
 */
class RedisRateLimitStoreTests extends RateLimitStoreContractTests {

	/** Generous, since other builds share the test Redis; outage tests use their own. */
	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private static final Duration OUTAGE_TIMEOUT = Duration.ofMillis(500);

	private final List<AutoCloseable> cleanUp = new ArrayList<>();

	private String prefix;

	private LettuceConnectionFactory factory;

	private RedisRateLimitStore store;

	@BeforeEach
	void connect() {
		this.prefix = RedisTestSupport.uniquePrefix();
		this.factory = RedisTestSupport.connectionFactory();
		this.store = store(this.factory, TIMEOUT);
	}

	@AfterEach
	void disconnect() throws Exception {
		for (int i = this.cleanUp.size() - 1; i >= 0; i--) {
			this.cleanUp.get(i).close();
		}
		this.factory.destroy();
		RedisTestSupport.deleteKeys(this.prefix);
	}

	@Override
	protected RateLimitStore store() {
		return this.store;
	}

	@Override
	protected void passTime(Duration duration) {
		// Buckets follow the Redis server's clock: wait until it has moved on.
		long until = storeMicros() + Gcra.toMicros(duration);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> storeMicros() >= until);
	}

	@Override
	protected long storeMicros() {
		try (RedisConnection connection = this.factory.getConnection()) {
			return connection.serverCommands().time(TimeUnit.MICROSECONDS);
		}
	}

	@Override
	protected Duration shortPeriod() {
		return Duration.ofSeconds(2);
	}

	@Test
	void whenAcquiringAndAdjustingAgainstSeveralLimitsThenEachIsOneRoundTrip() {
		RedisServerProcess server = own(RedisServerProcess.start());
		CountingRecorder sent = new CountingRecorder();
		ClientResources resources = DefaultClientResources.builder().commandLatencyRecorder(sent).build();
		this.cleanUp.add(() -> resources.shutdown(0, 1, TimeUnit.SECONDS));
		RedisRateLimitStore store = store(factory(server.port(), resources), TIMEOUT);
		RateLimit user = new RateLimit("user-limits", ScopeType.USER, HOUR, 100L, 100_000L, null, Set.of());
		RateLimit tenant = RateLimit.of("tenant-cph", ScopeType.TENANT, HOUR, null, null, new BigDecimal("50.00"));
		RateLimit global = requests("global-rph", ScopeType.GLOBAL, 1000, HOUR);
		List<RateLimitCharge> one = List.of(charge(user, "alice", 100, 0));
		List<RateLimitCharge> three = List.of(charge(user, "alice", 100, 0), charge(tenant, "acme", 100, 1_000),
				charge(global, "global", 100, 0));
		// The first call loads the script (EVALSHA answered NOSCRIPT, then EVAL).
		store.state(user, "alice");

		for (List<RateLimitCharge> charges : List.of(one, three)) {
			assertOneScriptCall(server, sent, () -> admitted(store.acquire(charges, Duration.ZERO)));
			assertOneScriptCall(server, sent, () -> store.adjust(charges, 1, 50, 500));
		}
		assertOneScriptCall(server, sent, () -> store.state(user, "alice"));
		List<RateLimitState> states = store.state(user, "alice");
		assertThat(states.get(0).remaining()).isEqualTo(96);
		assertThat(states.get(1).remaining()).as("plus what flowed back meanwhile").isBetween(99_700L, 99_800L);
	}

	@Test
	void whenBucketsAreWrittenThenEveryKeyHasATtlUntilItIsFullAgain() {
		RateLimit user = new RateLimit("user-limits", ScopeType.USER, HOUR, 10L, 1000L, null, Set.of());
		RateLimit global = requests("global-rpm", ScopeType.GLOBAL, 10, Duration.ofMinutes(1));
		RateLimit refunded = tokens("user-refunded", ScopeType.USER, 1000, HOUR);
		admitted(this.store.acquire(List.of(charge(user, "alice", 500, 0), charge(global, "global", 0, 0),
				charge(refunded, "alice", 300, 0)), Duration.ZERO));
		this.store.adjust(List.of(charge(user, "alice", 0, 0)), 0, 100, 0);
		this.store.adjust(List.of(charge(refunded, "alice", 0, 0)), 0, -300, 0);

		List<KeyTtl> keys = RedisTestSupport.keysWithTtl(this.prefix);

		assertThat(keys).extracting((key) -> key.key().substring(this.prefix.length()))
			.containsExactlyInAnyOrder("ratelimit:{admission}:requests:user-limits:alice",
					"ratelimit:{admission}:tokens:user-limits:alice",
					"ratelimit:{admission}:requests:global-rpm:global");
		assertThat(keys).allSatisfy((key) -> assertThat(key.ttlMillis()).as(key.key()).isPositive());
		assertThat(ttl(keys, "requests:user-limits")).isBetween(HOUR.dividedBy(10).toMillis() - 5_000,
				HOUR.dividedBy(10).toMillis());
		assertThat(ttl(keys, "tokens:user-limits")).as("600 tokens of 1000 per hour")
			.isBetween(HOUR.multipliedBy(6).dividedBy(10).toMillis() - 5_000,
					HOUR.multipliedBy(6).dividedBy(10).toMillis());
		assertThat(ttl(keys, "requests:global-rpm")).isBetween(1_000L, 6_000L);
	}

	@Test
	void whenTwoInstancesRaceOneLimitThenTogetherTheyAdmitOnlyTheLimit() throws Exception {
		RedisRateLimitStore instanceB = store(own(RedisTestSupport.connectionFactory()), TIMEOUT);
		RedisRateLimitStore[] instances = { this.store, instanceB };
		RateLimit user = tokens("user-tph", ScopeType.USER, 10_000, HOUR);
		RateLimit global = requests("global-rph", ScopeType.GLOBAL, 7, HOUR);

		int admitted = race(THREADS, (thread) -> instances[thread % 2],
				List.of(charge(user, "alice", 1000, 0), charge(global, "global", 0, 0)));

		assertThat(admitted).isEqualTo(7);
		for (RedisRateLimitStore instance : instances) {
			assertThat(single(instance.state(global, "global")).remaining()).isZero();
			assertThat(single(instance.state(user, "alice")).remaining())
				.as("all or none: alice gave only what was admitted")
				.isEqualTo(3_000);
		}
	}

	@Test
	void whenRedisStopsThenCallsFailWithinAboutTheTimeoutAndTheSameStoreWorksAfterARestart() {
		RedisServerProcess server = own(RedisServerProcess.start());
		RedisRateLimitStore store = store(factory(server.port(), null), OUTAGE_TIMEOUT);
		RateLimit user = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		List<RateLimitCharge> charges = List.of(charge(user, "alice", 400, 0));
		admitted(store.acquire(charges, Duration.ZERO));

		server.stop();

		long start = System.nanoTime();
		assertThatExceptionOfType(RedisUnavailableException.class)
			.isThrownBy(() -> store.acquire(charges, Duration.ZERO));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(OUTAGE_TIMEOUT.multipliedBy(4));
		assertThatExceptionOfType(RedisUnavailableException.class).isThrownBy(() -> store.adjust(charges, 0, 100, 0));
		assertThat(store.health().failures()).isGreaterThanOrEqualTo(2);
		assertThat(store.health().degraded()).isTrue();
		assertThat(store.health().feature()).isEqualTo("ratelimit");

		server.restart();

		await().atMost(Duration.ofSeconds(30))
			.ignoreExceptionsInstanceOf(RedisUnavailableException.class)
			.until(() -> single(store.state(user, "alice")).remaining() == 1000);
		admitted(store.acquire(List.of(charge(user, "alice", 1000, 0)), Duration.ZERO));
		assertThat(single(store.state(user, "alice")).remaining()).isZero();
		assertThat(store.health().degraded()).isFalse();
	}

	@Test
	void whenACallGivesUpDuringAnOutageThenItIsNotAppliedOnceRedisIsBack() {
		TcpProxy proxy = own(TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port()));
		RedisRateLimitStore store = store(factory(proxy.port(), null), OUTAGE_TIMEOUT);
		RateLimit user = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		admitted(store.acquire(List.of(charge(user, "alice", 100, 0)), Duration.ZERO));

		proxy.cut();
		assertThatExceptionOfType(RedisUnavailableException.class)
			.isThrownBy(() -> store.acquire(List.of(charge(user, "carol", 1000, 0)), Duration.ZERO));
		proxy.restore();

		await().atMost(Duration.ofSeconds(30))
			.ignoreExceptionsInstanceOf(RedisUnavailableException.class)
			.until(() -> single(store.state(user, "alice")).remaining() == 900);
		assertThat(single(this.store.state(user, "carol")).remaining()).isEqualTo(1000);
	}

	@Test
	void whenAnAdjustmentIsSentWithoutWaitingThenItReturnsBeforeRedisAnswersAndTheStoresNextCommandSeesIt() {
		TcpProxy proxy = own(TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port()));
		RedisRateLimitStore store = store(factory(proxy.port(), null), Duration.ofSeconds(30));
		RateLimit user = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		List<RateLimitCharge> charges = List.of(charge(user, "alice", 600, 0));
		RateLimitDecision.Admitted admitted = admitted(store.acquire(charges, Duration.ZERO));
		proxy.holdReplies();

		CompletableFuture<Void> sent = store.adjustWithoutWaiting(admitted, charges, 0, -400, 0);

		assertThat(sent).as("Redis's answer is held back").isNotDone();
		proxy.releaseReplies();
		assertThat(single(store.state(user, "alice")).remaining())
			.as("read after the adjustment, on its connection (a token flows back every 3.6 s)")
			.isBetween(800L, 801L);
		assertThat(sent).isCompleted();
		assertThat(store.health().failures()).isZero();
	}

	@Test
	void whenTheScriptCacheIsFlushedThenCallsStillWork() {
		RedisServerProcess server = own(RedisServerProcess.start());
		RedisRateLimitStore store = store(factory(server.port(), null), TIMEOUT);
		RateLimit user = tokens("user-tph", ScopeType.USER, 1000, HOUR);
		admitted(store.acquire(List.of(charge(user, "alice", 100, 0)), Duration.ZERO));
		long loadsBefore = commandCalls(server, "eval");

		try (ServerClient client = new ServerClient(server)) {
			client.connection().sync().scriptFlush();
		}

		admitted(store.acquire(List.of(charge(user, "alice", 100, 0)), Duration.ZERO));
		store.adjust(List.of(charge(user, "alice", 0, 0)), 0, 100, 0);
		assertThat(single(store.state(user, "alice")).remaining()).isEqualTo(700);
		assertThat(commandCalls(server, "eval") - loadsBefore).as("loaded again by EVAL after NOSCRIPT").isEqualTo(1);
	}

	private static long ttl(List<KeyTtl> keys, String part) {
		return keys.stream().filter((key) -> key.key().contains(part)).findFirst().orElseThrow().ttlMillis();
	}

	private void assertOneScriptCall(RedisServerProcess server, CountingRecorder sent, Runnable call) {
		long scriptsBefore = commandCalls(server, "evalsha") + commandCalls(server, "eval");
		Map<String, Long> sentBefore = sent.snapshot();

		call.run();

		Map<String, Long> sentAfter = sent.snapshot();
		sentAfter.replaceAll((command, count) -> count - sentBefore.getOrDefault(command, 0L));
		sentAfter.values().removeIf((count) -> count == 0);
		assertThat(sentAfter).as("commands the store sent").isEqualTo(Map.of("EVALSHA", 1L));
		assertThat(commandCalls(server, "evalsha") + commandCalls(server, "eval") - scriptsBefore)
			.as("scripts the server ran")
			.isEqualTo(1);
	}

	private static long commandCalls(RedisServerProcess server, String command) {
		try (ServerClient client = new ServerClient(server)) {
			for (String line : client.connection().sync().info("commandstats").split("\r?\n")) {
				if (line.startsWith("cmdstat_" + command + ":calls=")) {
					String calls = line.substring(line.indexOf('=') + 1);
					return Long.parseLong(calls.substring(0, calls.indexOf(',')));
				}
			}
			return 0;
		}
	}

	private RedisRateLimitStore store(LettuceConnectionFactory factory, Duration timeout) {
		ResourceRedis redis = own(new ResourceRedis(factory, this.prefix, timeout));
		return new RedisRateLimitStore(redis);
	}

	private LettuceConnectionFactory factory(int port, ClientResources resources) {
		LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder();
		if (resources != null) {
			client.clientResources(resources);
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port), client.build());
		factory.afterPropertiesSet();
		factory.start();
		return own(factory);
	}

	private <T> T own(T resource) {
		if (resource instanceof LettuceConnectionFactory factory) {
			this.cleanUp.add(factory::destroy);
		}
		else {
			this.cleanUp.add((AutoCloseable) resource);
		}
		return resource;
	}

	/**
	 * Counts every command a Lettuce client completed, by type: Lettuce records a command
	 * before it completes its future, so a count read after a call includes it.
	 */
	private static final class CountingRecorder implements CommandLatencyRecorder {

		private final Map<String, LongAdder> completed = new ConcurrentHashMap<>();

		@Override
		public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
				long firstResponseLatency, long completionLatency) {
			this.completed.computeIfAbsent(commandType.toString(), (type) -> new LongAdder()).increment();
		}

		Map<String, Long> snapshot() {
			Map<String, Long> counts = new HashMap<>();
			this.completed.forEach((type, count) -> counts.put(type, count.sum()));
			return counts;
		}

	}

	/**
	 * A plain client of a test's own server, to read what the server saw.
	 */
	private static final class ServerClient implements AutoCloseable {

		private final RedisClient client;

		private final StatefulRedisConnection<String, String> connection;

		ServerClient(RedisServerProcess server) {
			this.client = RedisClient.create(server.url());
			this.connection = this.client.connect();
		}

		StatefulRedisConnection<String, String> connection() {
			return this.connection;
		}

		@Override
		public void close() {
			this.connection.close();
			this.client.shutdown();
		}

	}

}
