package io.github.airesource.core.cache.redis;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.RedisTestSupport.KeyTtl;
import io.github.airesource.testsupport.TcpProxy;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The response cache in a real Redis: one key per entry with its TTL, the key schema,
 * versioned values, per-tenant clearing, and an outage that is a miss, never an error.
 */
class RedisResponseCacheStoreTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private String prefix;

	private LettuceConnectionFactory factory;

	private ResourceRedis redis;

	private RedisResponseCacheStore store;

	@BeforeEach
	void connect() {
		this.prefix = RedisTestSupport.uniquePrefix();
		this.factory = RedisTestSupport.connectionFactory();
		this.redis = new ResourceRedis(this.factory, this.prefix, TIMEOUT);
		this.store = new RedisResponseCacheStore(this.redis);
		// The first connection of a JVM can take longer than the timeout (Netty
		// starting): wait for it, so a test's first command is not a failure.
		await().atMost(Duration.ofSeconds(30)).until(() -> this.store.size() >= 0);
	}

	@AfterEach
	void disconnect() {
		this.redis.close();
		this.factory.destroy();
		RedisTestSupport.deleteKeys(this.prefix);
	}

	@Test
	void whenAnAnswerIsStoredThenItIsReadBackWholeFromOneKeyWithItsTtl() {
		CachedResponse answer = answer("Paris.");
		this.store.put("acme:eu", "ab12", answer, Duration.ofMinutes(10));

		assertThat(this.store.get("acme:eu", "ab12")).isEqualTo(answer);
		assertThat(this.store.get("acme", "ab12")).isNull();
		List<KeyTtl> keys = RedisTestSupport.keysWithTtl(this.prefix);
		assertThat(keys).singleElement().satisfies((key) -> {
			assertThat(key.key()).isEqualTo(this.prefix + "cache:{response:acme%3Aeu:ab12}");
			assertThat(key.ttlMillis()).isBetween(Duration.ofMinutes(9).toMillis(), Duration.ofMinutes(10).toMillis());
		});
		assertThat(this.store.statistics().snapshot().stores()).isOne();
		assertThat(this.store.size()).isOne();
	}

	@Test
	void whenAnEntryIsReadThenALookupIsOneRoundTripOfOneGet() {
		List<String> commands = new CopyOnWriteArrayList<>();
		ClientResources resources = ClientResources.builder().commandLatencyRecorder(new CommandLatencyRecorder() {
			@Override
			public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
					long firstResponseLatency, long completionLatency) {
				commands.add(commandType.toString());
			}

			@Override
			public boolean isEnabled() {
				return true;
			}
		}).build();
		LettuceConnectionFactory counted = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(RedisTestSupport.host(), RedisTestSupport.port()),
				LettuceClientConfiguration.builder().clientResources(resources).build());
		counted.afterPropertiesSet();
		counted.start();
		try (ResourceRedis countedRedis = new ResourceRedis(counted, this.prefix, TIMEOUT)) {
			RedisResponseCacheStore countedStore = new RedisResponseCacheStore(countedRedis);
			countedStore.put("acme", "k1", answer("Paris."), Duration.ofMinutes(10));
			await().atMost(Duration.ofSeconds(10)).until(() -> commands.contains("SET"));
			commands.clear();

			assertThat(countedStore.get("acme", "k1").generations().get(0).text()).isEqualTo("Paris.");
			assertThat(commands).containsExactly("GET");
			assertThat(countedStore.get("acme", "k2")).isNull();
			assertThat(commands).containsExactly("GET", "GET");
		}
		finally {
			counted.destroy();
			resources.shutdown();
		}
	}

	@Test
	void whenAnAnswerIsStoredThenTheCallerDoesNotWaitForRedisToConfirmItAndALaterLookupReadsIt() throws Exception {
		onProxiedRedis(Duration.ofSeconds(30), (proxy, store) -> {
			proxy.holdReplies();

			store.put("acme", "k1", answer("Paris."), Duration.ofMinutes(10));

			// Returned while Redis's reply is held: neither stored nor failed yet.
			assertThat(store.statistics().snapshot().stores()).isZero();
			assertThat(store.statistics().snapshot().failures()).isZero();
			proxy.releaseReplies();
			assertThat(store.get("acme", "k1").generations().get(0).text()).isEqualTo("Paris.");
			assertThat(store.statistics().snapshot().stores()).isOne();
			assertThat(store.statistics().snapshot().failures()).isZero();
		});
	}

	@Test
	void whenAnEntryWasWrittenInAnotherFormatVersionThenItIsAMissNotAFailure() {
		this.store.put("acme", "ab12", answer("Paris."), Duration.ofMinutes(10));
		String key = RedisTestSupport.keysWithTtl(this.prefix).get(0).key();
		byte[] encoded = answer("Paris.").encode();
		encoded[1] = (byte) (CachedResponse.FORMAT_VERSION + 1);
		RedisClient client = RedisClient.create(RedisTestSupport.url());
		try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
			connection.sync().set(key.getBytes(StandardCharsets.UTF_8), encoded);
		}
		finally {
			client.shutdown();
		}

		assertThat(this.store.get("acme", "ab12")).isNull();
		assertThat(this.store.statistics().snapshot().failures()).isZero();
	}

	@Test
	void whenATenantIsClearedThenOnlyItsEntriesGo() {
		this.store.put("acme", "k1", answer("a"), Duration.ofMinutes(10));
		this.store.put("acme", "k2", answer("b"), Duration.ofMinutes(10));
		this.store.put("acme-2", "k1", answer("c"), Duration.ofMinutes(10));
		this.store.put("globex", "k1", answer("d"), Duration.ofMinutes(10));

		assertThat(this.store.clearTenant("acme")).isEqualTo(2);
		assertThat(this.store.get("acme-2", "k1")).isNotNull();
		assertThat(this.store.size()).isEqualTo(2);
		assertThat(this.store.clear()).isEqualTo(2);
		assertThat(RedisTestSupport.keysWithTtl(this.prefix)).isEmpty();
	}

	@Test
	void whenRedisIsCutOffThenLookupsAreMissesStoresAreSkippedAndBothAreCountedNeverThrown() throws Exception {
		onProxiedRedis(Duration.ofMillis(300), (proxy, store) -> {
			store.put("acme", "k1", answer("Paris."), Duration.ofMinutes(10));
			assertThat(store.get("acme", "k1")).isNotNull();

			long failuresBefore = store.statistics().snapshot().failures();
			proxy.holdReplies();
			assertThat(store.get("acme", "k1")).isNull();
			store.put("acme", "k2", answer("Lyon."), Duration.ofMinutes(10));
			assertThat(store.size()).isEqualTo(-1);

			// The store's outcome is counted when its timeout passes, apart from the
			// caller.
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> assertThat(store.statistics().snapshot().failures()).isEqualTo(failuresBefore + 3));
			assertThat(store.health().degraded()).isTrue();
			assertThat(store.statistics().snapshot().stores()).isOne();
		});
	}

	/**
	 * Run a test against a store whose Redis is reached through a proxy that can hold
	 * Redis's replies, once the store has answered.
	 */
	private void onProxiedRedis(Duration timeout, ProxiedStoreTest test) throws Exception {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			LettuceConnectionFactory proxied = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration("127.0.0.1", proxy.port()));
			proxied.afterPropertiesSet();
			proxied.start();
			ResourceRedis redis = new ResourceRedis(proxied, this.prefix, timeout);
			try {
				RedisResponseCacheStore store = new RedisResponseCacheStore(redis);
				await().atMost(Duration.ofSeconds(30)).until(() -> store.size() >= 0);
				test.run(proxy, store);
			}
			finally {
				proxy.releaseReplies();
				redis.close();
				proxied.destroy();
			}
		}
	}

	private static CachedResponse answer(String text) {
		return new CachedResponse("gpt-4o-mini", "chatcmpl-1",
				List.of(new CachedResponse.CachedGeneration(text, "STOP")), 20, 4, 5, 1, 12_345, 1_700_000_000_000L);
	}

	/**
	 * A test of a store behind a proxy.
	 */
	@FunctionalInterface
	private interface ProxiedStoreTest {

		void run(TcpProxy proxy, RedisResponseCacheStore store) throws Exception;

	}

}
