package io.github.airesource.autoconfigure.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.ResponseCacheStore;
import io.github.airesource.core.cache.redis.RedisResponseCacheStore;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisServerProcess;
import io.github.airesource.testsupport.RedisTestSupport;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static io.github.airesource.autoconfigure.cache.ResponseCacheEndToEndTests.ask;
import static io.github.airesource.autoconfigure.cache.ResponseCacheEndToEndTests.client;
import static io.github.airesource.autoconfigure.cache.ResponseCacheEndToEndTests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The response cache in Redis as a fleet gets it: two application contexts sharing one
 * Redis stand for two instances; a Redis of the test's own is stopped mid-run.
 */
class RedisResponseCacheEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private String prefix;

	@BeforeEach
	void prefix() {
		this.prefix = RedisTestSupport.uniquePrefix();
	}

	@AfterEach
	void cleanUp() {
		this.server.close();
		RedisTestSupport.deleteKeys(this.prefix);
	}

	@Test
	void whenOneInstanceCachedAnAnswerThenAnotherInstanceIsServedItWithoutCallingTheModel() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ApplicationContextRunner instance = instance(RedisTestSupport.url());
		instance.run((first) -> instance.run((second) -> {
			awaitConnected(first);
			awaitConnected(second);
			assertThat(ask(client(first), "acme").context()).containsEntry(ResourceContextKeys.CACHE, "miss");

			assertThat(ask(client(second), "acme").context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
			assertThat(ask(client(second), "globex").context()).containsEntry(ResourceContextKeys.CACHE, "miss");
			assertThat(this.server.requestCount()).isEqualTo(2);
			assertThat(RedisTestSupport.keysWithTtl(this.prefix)).hasSize(2)
				.allSatisfy((key) -> assertThat(key.ttlMillis()).isPositive());
		}));
	}

	@Test
	void whenAnEntryIsOfAnotherFormatVersionThenTheCallIsAMissAndTheEntryIsReplaced() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		instance(RedisTestSupport.url()).run((context) -> {
			awaitConnected(context);
			ask(client(context), "acme");
			String key = RedisTestSupport.keysWithTtl(this.prefix).get(0).key();
			overwriteVersion(key, (byte) (CachedResponse.FORMAT_VERSION + 1));

			assertThat(ask(client(context), "acme").context()).containsEntry(ResourceContextKeys.CACHE, "miss");
			assertThat(ask(client(context), "acme").context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
			assertThat(this.server.requestCount()).isEqualTo(2);
			assertThat(context.getBean(ResponseCacheStore.class).statistics().snapshot().failures()).isZero();
		});
	}

	@Test
	void whenRedisIsDownThenCallsAreMissesThatSucceedAndTheFailuresAreCounted() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			instance(redis.url()).run((context) -> {
				awaitConnected(context);
				ask(client(context), "acme");
				assertThat(ask(client(context), "acme").context()).containsEntry(ResourceContextKeys.CACHE,
						"hit-exact");

				redis.stop();
				assertThat(text(ask(client(context), "acme"))).isEqualTo("Paris.");
				assertThat(client(context).prompt()
					.user("Capital of France?")
					.advisors((a) -> a.param(ResourceContextKeys.TENANT, "acme"))
					.stream()
					.content()
					.reduce("", String::concat)
					.block(Duration.ofSeconds(30))).isEqualTo("Paris.");

				assertThat(this.server.requestCount()).isEqualTo(3);
				assertThat(context.getBean(ResponseCacheStore.class).statistics().snapshot().failures()).isPositive();
				assertThat(context.getBean(MeterRegistry.class)
					.get("ai.resource.redis.failures")
					.tag("feature", "cache")
					.functionCounter()
					.count()).isPositive();
			});
		}
	}

	private ApplicationContextRunner instance(String redisUrl) {
		return ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
			.withPropertyValues("ai.resource.cache.response.enabled=true", "ai.resource.cache.response.store=redis",
					"spring.ai.openai.chat.options.temperature=0.0", "ai.resource.redis.key-prefix=" + this.prefix,
					"spring.data.redis.url=" + redisUrl, "spring.data.redis.connect-timeout=1s");
	}

	/** Until connected, lookups are misses and answers go unstored. */
	private static void awaitConnected(ApplicationContext context) {
		RedisResponseCacheStore store = context.getBean(RedisResponseCacheStore.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> store.size() >= 0);
	}

	private static void overwriteVersion(String key, byte version) {
		RedisClient client = RedisClient.create(RedisTestSupport.url());
		try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
			byte[] name = key.getBytes(StandardCharsets.UTF_8);
			byte[] value = connection.sync().get(name);
			value[1] = version;
			connection.sync().set(name, value);
		}
		finally {
			client.shutdown();
		}
	}

}
