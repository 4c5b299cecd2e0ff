package io.github.airesource.core.budget;

import java.math.BigDecimal;
import java.net.SocketAddress;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.redis.RedisScript;
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
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The contract against Redis, where time passes for real (Redis server time), plus what
 * only Redis has: TTLs, round trips, several instances, outages and restarts.
 */
class RedisBudgetStoreTests extends BudgetStoreContractTests {

	/** Generous, since other builds share the test Redis; outage tests use their own. */
	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private static final Duration OUTAGE_TIMEOUT = Duration.ofMillis(500);

	private static final Duration SHORT_PERIOD = Duration.ofSeconds(2);

	private final List<AutoCloseable> cleanUp = new ArrayList<>();

	private String prefix;

	private LettuceConnectionFactory factory;

	private RedisBudgetStore store;

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
	protected BudgetStore store() {
		return this.store;
	}

	@Override
	protected void passTime(Duration duration) {
		// Windows and leases follow the Redis server's clock: wait until it has moved on.
		long until = redisMillis() + duration.toMillis();
		awaitRedisTime(until);
	}

	@Override
	protected Duration shortPeriod() {
		return SHORT_PERIOD;
	}

	@Override
	protected void awaitWindowStart(Duration period) {
		long now = redisMillis();
		// Just after the boundary, so that the test has nearly the whole window.
		awaitRedisTime(now + millisToNextWindow(now, period) + 50);
	}

	@Override
	protected Duration shortLease() {
		return Duration.ofMillis(400);
	}

	@Test
	void whenReservedSettledGrantedAndResetThenEveryKeyHasATtl() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		BudgetLimit tenant = cost("tenant-daily", ScopeType.TENANT, "5.00");
		BudgetLimit global = limit("global-daily", ScopeType.GLOBAL, LONG,
				new BudgetAmount(1_000_000L, new BigDecimal("100")));
		List<BudgetCharge> charges = List.of(charge(user, "alice", 100, 10), charge(tenant, "acme", 100, 10),
				charge(global, "global", 100, 10));

		this.store.reserve("r1", charges, LEASE, false);
		this.store.settle("r1", charges, 50, 5, LEASE);
		this.store.reserve("r2", charges, LEASE, false);
		this.store.grant(user, "bob", 10, 0);
		this.store.reset(tenant, "acme");

		List<KeyTtl> keys = RedisTestSupport.keysWithTtl(this.prefix);
		assertThat(keys).extracting((key) -> key.key().substring(this.prefix.length()))
			.contains("budget:{admission}:counter:user-daily:alice", "budget:{admission}:leases:user-daily:alice",
					"budget:{admission}:top:user-daily:tokens", "budget:{admission}:counter:tenant-daily:acme",
					"budget:{admission}:top:tenant-daily:cost", "budget:{admission}:counter:global-daily:global",
					"budget:{admission}:counter:user-daily:bob");
		assertThat(keys).allSatisfy((key) -> assertThat(key.ttlMillis()).as(key.key()).isPositive());
	}

	@Test
	void whenALeaseOutlivesItsWindowThenTheCounterLivesAsLongAsTheLeaseAndTheIndexOnlyAsTheWindow() {
		BudgetLimit user = limit("user-short", ScopeType.USER, SHORT_PERIOD, new BudgetAmount(1000L, null));

		this.store.reserve("r1", List.of(charge(user, "alice", 100, 0)), LEASE, false);

		List<KeyTtl> keys = RedisTestSupport.keysWithTtl(this.prefix);
		assertThat(keys).filteredOn((key) -> key.key().contains(":counter:") || key.key().contains(":leases:"))
			.hasSize(2)
			.allSatisfy((key) -> assertThat(key.ttlMillis()).as(key.key())
				.isGreaterThan(LEASE.minusMinutes(1).toMillis())
				.isLessThanOrEqualTo(LEASE.toMillis()));
		assertThat(keys).filteredOn((key) -> key.key().contains(":top:"))
			.singleElement()
			.satisfies((key) -> assertThat(key.ttlMillis()).isPositive().isLessThanOrEqualTo(SHORT_PERIOD.toMillis()));
	}

	@Test
	void whenManyCallsAreSettledThenTheStateIsNoLargerThanTheCallsInFlight() {
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 1_000_000);
		for (int i = 0; i < 200; i++) {
			List<BudgetCharge> charges = List.of(charge(user, "alice", 100, 0));
			this.store.reserve("r" + i, charges, LEASE, false);
			this.store.settle("r" + i, charges, 50, 0, LEASE);
		}
		this.store.reserve("in-flight", List.of(charge(user, "alice", 100, 0)), LEASE, false);

		try (RedisConnection connection = this.factory.getConnection()) {
			for (KeyTtl key : RedisTestSupport.keysWithTtl(this.prefix)) {
				byte[] name = key.key().getBytes(StandardCharsets.UTF_8);
				if (key.key().contains(":leases:")) {
					assertThat(connection.zSetCommands().zCard(name)).as(key.key()).isEqualTo(1);
				}
				if (key.key().contains(":counter:")) {
					assertThat(connection.hashCommands().hLen(name)).as(key.key()).isLessThanOrEqualTo(8);
				}
			}
		}
		assertThat(this.store.usage(user, "alice").usedTokens()).isEqualTo(10_000);
	}

	@Test
	void whenReservingAndSettlingAgainstSeveralLimitsThenEachIsOneRoundTrip() {
		RedisServerProcess server = own(RedisServerProcess.start());
		CountingRecorder sent = new CountingRecorder();
		ClientResources resources = DefaultClientResources.builder().commandLatencyRecorder(sent).build();
		this.cleanUp.add(() -> resources.shutdown(0, 1, TimeUnit.SECONDS));
		RedisBudgetStore store = store(factory(server.port(), resources), TIMEOUT);
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 100_000);
		BudgetLimit tenant = cost("tenant-daily", ScopeType.TENANT, "50.00");
		BudgetLimit global = tokens("global-daily", ScopeType.GLOBAL, 1_000_000);
		List<BudgetCharge> one = List.of(charge(user, "alice", 100, 0));
		List<BudgetCharge> three = List.of(charge(user, "alice", 100, 0), charge(tenant, "acme", 100, 1_000),
				charge(global, "global", 100, 0));
		// The first call loads the script (EVALSHA answered NOSCRIPT, then EVAL).
		store.usage(user, "alice");

		for (List<BudgetCharge> charges : List.of(one, three)) {
			String id = "r" + charges.size();
			assertOneScriptCall(server, sent, () -> store.reserve(id, charges, LEASE, true));
			assertOneScriptCall(server, sent, () -> store.settle(id, charges, 80, 800, LEASE));
		}
		assertOneScriptCall(server, sent, () -> store.grant(user, "alice", 10, 0));
		assertOneScriptCall(server, sent, () -> store.reset(user, "alice"));
		assertOneScriptCall(server, sent, () -> store.top(user, 10));
		assertThat(store.usage(tenant, "acme").usedCostNanos()).isEqualTo(800);
	}

	@Test
	void whenTwoInstancesRaceOneBudgetThenExactlyTheCallsThatFitAreAdmittedAndNothingElseIsHeld() throws Exception {
		RedisBudgetStore instanceB = store(own(RedisTestSupport.connectionFactory()), TIMEOUT);
		RedisBudgetStore[] instances = { this.store, instanceB };
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		BudgetLimit global = tokens("global-daily", ScopeType.GLOBAL, 7_000);

		int admitted = race(64, (thread) -> instances[thread % 2],
				List.of(charge(user, "alice", 1000, 0), charge(global, "global", 1000, 0)));

		assertThat(admitted).isEqualTo(7);
		for (RedisBudgetStore instance : instances) {
			assertThat(instance.usage(global, "global").usedTokens()).isEqualTo(7_000);
			assertThat(instance.usage(user, "alice").usedTokens()).as("all or none: alice holds only what was admitted")
				.isEqualTo(7_000);
			assertThat(instance.usage(user, "alice").reservedTokens()).isZero();
			assertThat(instance.usage(global, "global").reservedTokens()).isZero();
		}
	}

	@Test
	void whenRedisGoesDownThenReserveFailsWithinAboutTheTimeoutAndWorksAgainOnceItIsBack() {
		TcpProxy proxy = own(TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port()));
		RedisBudgetStore store = store(factory(proxy.port(), null), OUTAGE_TIMEOUT);
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		store.reserve("before", List.of(charge(user, "alice", 100, 0)), LEASE, false);

		proxy.cut();

		long start = System.nanoTime();
		// Its outcome is unknown (it may reach Redis later), so it charges a key of its
		// own.
		assertThatExceptionOfType(RedisUnavailableException.class)
			.isThrownBy(() -> store.reserve("during", List.of(charge(user, "carol", 100, 0)), LEASE, false));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(OUTAGE_TIMEOUT.multipliedBy(4));
		assertThat(store.health().failures()).isPositive();
		assertThat(store.health().degraded()).isTrue();
		assertThat(store.health().lastError()).isNotBlank();

		proxy.restore();

		// Lettuce reconnects by itself; the same store takes calls again.
		await().atMost(Duration.ofSeconds(30))
			.ignoreExceptionsInstanceOf(RedisUnavailableException.class)
			.until(() -> store.usage(user, "alice").reservedTokens() == 100);
		assertThat(store.reserve("after", List.of(charge(user, "bob", 100, 0)), LEASE, false))
			.isInstanceOf(BudgetAdmission.Admitted.class);
		assertThat(store.usage(user, "bob").reservedTokens()).isEqualTo(100);
		assertThat(store.health().degraded()).isFalse();
	}

	@Test
	void whenRedisIsDownFromTheStartThenReserveFailsWithinAboutTheTimeout() {
		TcpProxy proxy = own(TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port()));
		proxy.cut();
		RedisBudgetStore store = store(factory(proxy.port(), null), OUTAGE_TIMEOUT);
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);

		long start = System.nanoTime();
		assertThatExceptionOfType(RedisUnavailableException.class)
			.isThrownBy(() -> store.reserve("r1", List.of(charge(user, "alice", 100, 0)), LEASE, false));

		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(OUTAGE_TIMEOUT.multipliedBy(4));
		assertThat(store.health().failures()).isEqualTo(1);
	}

	@Test
	void whenRedisRestartsThenTheScriptIsLoadedAgainAndCallsWork() {
		RedisServerProcess server = own(RedisServerProcess.start());
		RedisBudgetStore store = store(factory(server.port(), null), TIMEOUT);
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		List<BudgetCharge> charges = List.of(charge(user, "alice", 100, 0));
		store.reserve("r1", charges, LEASE, false);

		server.stop();
		assertThatExceptionOfType(RedisUnavailableException.class)
			.isThrownBy(() -> store.reserve("r2", charges, LEASE, false));
		server.restart();

		await().atMost(Duration.ofSeconds(30))
			.ignoreExceptionsInstanceOf(RedisUnavailableException.class)
			.until(() -> store.usage(user, "alice").reservedTokens() == 0);
		assertThat(store.reserve("r3", charges, LEASE, false)).isInstanceOf(BudgetAdmission.Admitted.class);
		store.settle("r3", charges, 40, 0, LEASE);
		assertThat(store.usage(user, "alice").usedTokens()).as("the restarted Redis is empty").isEqualTo(40);
		assertThat(store.health().failures()).isPositive();
		assertThat(store.health().degraded()).isFalse();
		String digest = RedisScript.fromClassPath(RedisBudgetStore.class, "budget.lua").digest();
		assertThat(commandCalls(server, "eval")).as("loaded by EVAL after NOSCRIPT").isEqualTo(1);
		try (ServerClient client = new ServerClient(server)) {
			assertThat(client.connection().sync().scriptExists(digest)).containsExactly(true);
		}
	}

	@Test
	void whenKeysTieThenTopListsThemInTheMemoryStoresOrder() {
		InMemoryBudgetStore memory = new InMemoryBudgetStore(Clock.systemUTC());
		BudgetLimit user = tokens("user-daily", ScopeType.USER, 10_000);
		// Emails, braces, the empty key, and a char above the surrogates next to one
		// below them: UTF-8 byte order would list these differently from Java.
		String[] keys = { "zoe", "bob", "a@x.com", "a.x", "", "{alice}", "\uFFFD", "\uD83D\uDE00", "Émile",
				"a".repeat(200), "amy" };
		long[] used = { 10, 10, 20, 20, 10, 30, 20, 20, 10, 20, 0 };
		for (int i = 0; i < keys.length; i++) {
			List<BudgetCharge> charges = List.of(charge(user, keys[i], used[i], 0));
			for (BudgetStore each : List.of(memory, this.store)) {
				each.reserve("r" + i, charges, LEASE, false);
				each.settle("r" + i, charges, used[i], 0, LEASE);
			}
		}

		for (int count : new int[] { 1, 3, 6, 20 }) {
			assertThat(this.store.top(user, count)).as("top %d", count)
				.extracting(BudgetStore.KeyUsage::key, (key) -> key.usage().usedTokens())
				.isEqualTo(memory.top(user, count)
					.stream()
					.map((key) -> tuple(key.key(), key.usage().usedTokens()))
					.toList());
		}
		assertThat(this.store.top(user, 20)).hasSize(keys.length);
	}

	@Test
	void whenAmountsNeedAllSixteenDigitsThenEveryNanoDollarIsKept() {
		// Lua prints numbers with 14 digits; these need 16 and must still be exact.
		BudgetLimit global = cost("global-daily", ScopeType.GLOBAL, "9000000");
		long reserved = 4_503_599_627_370_497L;
		long actual = 1_234_567_890_123_457L;
		List<BudgetCharge> charges = List.of(charge(global, "global", 1, reserved));

		assertThat(this.store.reserve("r1", charges, LEASE, false)).isInstanceOf(BudgetAdmission.Admitted.class);
		assertThat(this.store.usage(global, "global").reservedCostNanos()).isEqualTo(reserved);
		this.store.settle("r1", charges, 1, actual, LEASE);
		this.store.grant(global, "global", 0, 7_777_777_777_777_777L);

		BudgetUsage usage = this.store.usage(global, "global");
		assertThat(usage.usedCostNanos()).isEqualTo(actual);
		assertThat(usage.reservedCostNanos()).isZero();
		assertThat(usage.extraCostNanos()).isEqualTo(7_777_777_777_777_777L);
		assertThat(this.store.top(global, 1)).singleElement()
			.satisfies((key) -> assertThat(key.usage().usedCostNanos()).isEqualTo(actual));
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

	private RedisBudgetStore store(LettuceConnectionFactory factory, Duration timeout) {
		ResourceRedis redis = own(new ResourceRedis(factory, this.prefix, timeout));
		return new RedisBudgetStore(redis);
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

	private long redisMillis() {
		try (RedisConnection connection = this.factory.getConnection()) {
			return connection.serverCommands().time();
		}
	}

	private void awaitRedisTime(long millis) {
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> redisMillis() >= millis);
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
