package io.github.airesource.core.cache.tool;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.scope.CallScope;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tool-result cache around one tool: what is served from it, what runs the tool, what
 * is kept apart and what is never kept.
 */
class CachingToolCallbackTests {

	private static final String PARIS = "{\"location\":\"Paris\",\"unit\":\"celsius\"}";

	private final AtomicLong nanos = new AtomicLong();

	private final ToolResultCache cache = ToolResultCache.builder()
		.tool("weather", Duration.ofMinutes(5))
		.tool("stock")
		.defaultTtl(Duration.ofMinutes(1))
		.ticker(this.nanos::get)
		.build();

	private final CountingTool weather = new CountingTool("weather");

	private final ToolCallback cached = this.cache.decorate(this.weather);

	@Test
	void whenAListedToolIsCalledTwiceWithTheSameArgumentsThenItRunsOnceAndBothGetItsResult() {
		String first = this.cached.call(PARIS, context("acme", "alice"));
		String second = this.cached.call(PARIS, context("acme", "alice"));

		assertThat(this.weather.calls).hasValue(1);
		assertThat(second).isEqualTo(first).isEqualTo("weather#1");
		CacheStatistics.Snapshot stats = this.cache.statistics().snapshot();
		assertThat(stats.hits()).isEqualTo(1);
		assertThat(stats.misses()).isEqualTo(1);
		assertThat(stats.stores()).isEqualTo(1);
		assertThat(this.cache.size()).isEqualTo(1);
	}

	@Test
	void whenTheArgumentsHaveTheirKeysReorderedOrOtherWhitespaceThenTheCachedResultIsServed() {
		this.cached.call(PARIS, context("acme", "alice"));

		String reordered = this.cached.call("{ \"unit\" : \"celsius\",\n \"location\" : \"Paris\" }",
				context("acme", "alice"));

		assertThat(reordered).isEqualTo("weather#1");
		assertThat(this.weather.calls).hasValue(1);
	}

	@Test
	void whenTheArgumentsDifferThenTheToolRunsAgain() {
		this.cached.call(PARIS, context("acme", "alice"));

		String berlin = this.cached.call("{\"location\":\"Berlin\",\"unit\":\"celsius\"}", context("acme", "alice"));

		assertThat(berlin).isEqualTo("weather#2");
		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenAnotherTenantMakesTheSameCallThenTheToolRunsForItAndNeitherIsServedTheOthersResult() {
		String acme = this.cached.call(PARIS, context("acme", "alice"));
		String globex = this.cached.call(PARIS, context("globex", "alice"));

		assertThat(this.weather.calls).hasValue(2);
		assertThat(acme).isEqualTo("weather#1");
		assertThat(globex).isEqualTo("weather#2");
		assertThat(this.cached.call(PARIS, context("acme", "bob"))).isEqualTo("weather#1");
		assertThat(this.cached.call(PARIS, context("globex", "bob"))).isEqualTo("weather#2");
		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenTheCacheIsPerUserThenUsersOfOneTenantDoNotShareResults() {
		ToolResultCache perUser = ToolResultCache.builder().tool("weather").perUser(true).build();
		ToolCallback tool = perUser.decorate(this.weather);

		tool.call(PARIS, context("acme", "alice"));
		tool.call(PARIS, context("acme", "bob"));
		tool.call(PARIS, context("acme", "alice"));

		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenTheToolContextNamesTheTenantAsTextThenResultsArePartitionedByIt() {
		ToolContext acme = new ToolContext(Map.of(ResourceContextKeys.TENANT, "acme"));
		ToolContext globex = new ToolContext(Map.of(ResourceContextKeys.TENANT, "globex"));

		this.cached.call(PARIS, acme);
		this.cached.call(PARIS, acme);
		this.cached.call(PARIS, globex);

		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenTheToolContextNamesNobodyThenEveryCallRunsTheToolAndCountsAsABypass() {
		this.cached.call(PARIS, new ToolContext(Map.of()));
		this.cached.call(PARIS, new ToolContext(Map.of("other", "value")));
		this.cached.call(PARIS, null);

		assertThat(this.weather.calls).hasValue(3);
		assertThat(this.cache.statistics().snapshot().bypasses()).isEqualTo(3);
		assertThat(this.cache.size()).isZero();
	}

	@Test
	void whenCalledWithoutAToolContextThenTheToolRunsEveryTimeThroughItsOwnCallMethod() {
		this.cached.call(PARIS);
		this.cached.call(PARIS);

		assertThat(this.weather.calls).hasValue(2);
		assertThat(this.weather.callsWithContext).hasValue(0);
		assertThat(this.cache.statistics().snapshot().bypasses()).isEqualTo(2);
	}

	@Test
	void whenCalledWithAToolContextThenTheToolGetsThatContext() {
		ToolContext context = context("acme", "alice");

		this.cached.call(PARIS, context);

		assertThat(this.weather.callsWithContext).hasValue(1);
		assertThat(this.weather.lastContext).isSameAs(context);
	}

	@Test
	void whenTheToolThrowsThenNothingIsCachedAndTheNextCallRunsItAgain() {
		this.weather.failNext = true;

		assertThatThrownBy(() -> this.cached.call(PARIS, context("acme", "alice")))
			.isInstanceOf(IllegalStateException.class)
			.hasMessage("weather failed");
		String retried = this.cached.call(PARIS, context("acme", "alice"));

		assertThat(retried).isEqualTo("weather#2");
		assertThat(this.weather.calls).hasValue(2);
		assertThat(this.cache.statistics().snapshot().stores()).isEqualTo(1);
	}

	@Test
	void whenTheToolReturnsNullThenNothingIsCached() {
		this.weather.answerNull = true;

		assertThat(this.cached.call(PARIS, context("acme", "alice"))).isNull();
		assertThat(this.cached.call(PARIS, context("acme", "alice"))).isNull();

		assertThat(this.weather.calls).hasValue(2);
		assertThat(this.cache.size()).isZero();
	}

	@Test
	void whenAToolsOwnTtlPassesThenItRunsAgainWhileAToolWithTheDefaultTtlExpiredEarlier() {
		CountingTool stock = new CountingTool("stock");
		ToolCallback cachedStock = this.cache.decorate(stock);
		this.cached.call(PARIS, context("acme", "alice"));
		cachedStock.call("{}", context("acme", "alice"));

		this.nanos.addAndGet(Duration.ofSeconds(61).toNanos());
		this.cached.call(PARIS, context("acme", "alice"));
		cachedStock.call("{}", context("acme", "alice"));
		assertThat(this.weather.calls).hasValue(1);
		assertThat(stock.calls).hasValue(2);

		this.nanos.addAndGet(Duration.ofMinutes(4).toNanos());
		this.cached.call(PARIS, context("acme", "alice"));
		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenAToolIsNotListedThenItIsNotDecorated() {
		CountingTool other = new CountingTool("other");

		assertThat(this.cache.decorate(other)).isSameAs(other);
		assertThat(this.cache.decorate(this.cached)).isSameAs(this.cached);
	}

	@Test
	void whenDecoratedThenTheToolKeepsItsDefinitionAndMetadataIncludingReturnDirect() {
		CountingTool direct = new CountingTool("weather", ToolMetadata.builder().returnDirect(true).build());

		ToolCallback decorated = this.cache.decorate(direct);

		assertThat(decorated).isInstanceOf(CachingToolCallback.class);
		assertThat(decorated.getToolDefinition()).isSameAs(direct.getToolDefinition());
		assertThat(decorated.getToolMetadata()).isSameAs(direct.getToolMetadata());
		assertThat(decorated.getToolMetadata().returnDirect()).isTrue();
		assertThat(((CachingToolCallback) decorated).delegate()).isSameAs(direct);
	}

	@Test
	void whenTheCallerAsksForABypassThenTheToolRunsAndNothingIsStored() {
		this.cached.call(PARIS, context("acme", "alice"));

		this.cached.call(PARIS, context("acme", "alice", ResourceContextKeys.CACHE_BYPASS, true));

		assertThat(this.weather.calls).hasValue(2);
		assertThat(this.cached.call(PARIS, context("acme", "alice"))).isEqualTo("weather#1");
	}

	@Test
	void whenTheCallerAsksForARefreshThenTheToolRunsAndItsNewResultReplacesTheEntry() {
		this.cached.call(PARIS, context("acme", "alice"));

		String refreshed = this.cached.call(PARIS, context("acme", "alice", ResourceContextKeys.CACHE_REFRESH, "true"));

		assertThat(refreshed).isEqualTo("weather#2");
		assertThat(this.cached.call(PARIS, context("acme", "alice"))).isEqualTo("weather#2");
		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenCallsUseDifferentNamespacesThenTheyDoNotShareResults() {
		this.cached.call(PARIS, context("acme", "alice", ResourceContextKeys.CACHE_NAMESPACE, "faq"));
		this.cached.call(PARIS, context("acme", "alice"));
		this.cached.call(PARIS, context("acme", "alice", ResourceContextKeys.CACHE_NAMESPACE, "faq"));

		assertThat(this.weather.calls).hasValue(2);
	}

	@Test
	void whenOneTenantIsClearedThenOnlyItsEntriesGoAndTheCountSaysHowMany() {
		this.cached.call(PARIS, context("acme", "alice"));
		this.cached.call("{\"location\":\"Rome\"}", context("acme", "alice"));
		this.cached.call(PARIS, context("globex", "alice"));

		assertThat(this.cache.clearTenant("acme")).isEqualTo(2);

		assertThat(this.cache.size()).isEqualTo(1);
		this.cached.call(PARIS, context("globex", "alice"));
		this.cached.call(PARIS, context("acme", "alice"));
		assertThat(this.weather.calls).hasValue(4);
		assertThat(this.cache.clear()).isEqualTo(2);
		assertThat(this.cache.size()).isZero();
	}

	@Test
	void whenMoreResultsThanMaxEntriesArriveThenSomeAreEvictedAndCounted() {
		ToolResultCache small = ToolResultCache.builder().tool("weather").maxEntries(2).build();
		ToolCallback tool = small.decorate(this.weather);

		for (int i = 0; i < 10; i++) {
			tool.call("{\"location\":\"city-" + i + "\"}", context("acme", "alice"));
		}

		assertThat(small.size()).isLessThanOrEqualTo(2);
		assertThat(small.statistics().snapshot().evictions()).isGreaterThanOrEqualTo(8);
		assertThat(small.name()).isEqualTo("tool");
	}

	@Test
	void whenLargeResultsWouldPassTheByteBoundThenOlderOnesAreEvictedAndOneLargerThanTheBoundIsNeverKept() {
		// About 1 MB estimated per result (two bytes a character), 3 MB allowed.
		ToolResultCache small = ToolResultCache.builder().tool("weather").maxEntries(100).maxBytes(3L << 20).build();
		ToolCallback tool = small.decorate(this.weather);
		this.weather.padding = "x".repeat(500_000);

		for (int i = 0; i < 10; i++) {
			tool.call("{\"location\":\"city-" + i + "\"}", context("acme", "alice"));
		}

		assertThat(small.size()).isBetween(1L, 3L);
		assertThat(small.statistics().snapshot().evictions()).isGreaterThanOrEqualTo(7);

		small.clear();
		this.weather.padding = "x".repeat(2_000_000);
		String first = tool.call(PARIS, context("acme", "alice"));
		String second = tool.call(PARIS, context("acme", "alice"));

		assertThat(first).hasSize(2_000_000 + "weather#11".length());
		assertThat(second).startsWith("weather#12");
		assertThat(small.size()).isZero();
	}

	private static ToolContext context(String tenant, String user, Object... extra) {
		Map<String, Object> map = new HashMap<>();
		map.put(ResourceContextKeys.SCOPE, new CallScope(tenant, user, "c-1"));
		for (int i = 0; i < extra.length; i += 2) {
			map.put((String) extra[i], extra[i + 1]);
		}
		return new ToolContext(map);
	}

	/**
	 * A tool that answers its name and the number of its invocation.
	 */
	static final class CountingTool implements ToolCallback {

		final AtomicInteger calls = new AtomicInteger();

		final AtomicInteger callsWithContext = new AtomicInteger();

		private final ToolDefinition definition;

		private final ToolMetadata metadata;

		volatile ToolContext lastContext;

		volatile boolean failNext;

		volatile boolean answerNull;

		/** Appended to every answer, to make answers as large as a test needs. */
		volatile String padding = "";

		CountingTool(String name) {
			this(name, ToolMetadata.builder().build());
		}

		CountingTool(String name, ToolMetadata metadata) {
			this.definition = ToolDefinition.builder()
				.name(name)
				.description("A test tool")
				.inputSchema("{\"type\":\"object\"}")
				.build();
			this.metadata = metadata;
		}

		@Override
		public ToolDefinition getToolDefinition() {
			return this.definition;
		}

		@Override
		public ToolMetadata getToolMetadata() {
			return this.metadata;
		}

		@Override
		public String call(String toolInput) {
			int call = this.calls.incrementAndGet();
			if (this.failNext) {
				this.failNext = false;
				throw new IllegalStateException(this.definition.name() + " failed");
			}
			return this.answerNull ? null : this.definition.name() + "#" + call + this.padding;
		}

		@Override
		public String call(String toolInput, ToolContext toolContext) {
			this.callsWithContext.incrementAndGet();
			this.lastContext = toolContext;
			return call(toolInput);
		}

	}

}
