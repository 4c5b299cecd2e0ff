package io.github.airesource.actuate.cache;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.cache.CachesDescriptor.CacheDescriptor;
import io.github.airesource.actuate.cache.CachesDescriptor.ClearedDescriptor;
import io.github.airesource.actuate.cache.CachesDescriptor.SimilarityBucketDescriptor;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.cache.tool.ToolResultCache;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.testsupport.TestTools;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the {@code aicaches} endpoint reports and clears, over the tool cache and a test
 * cache standing for the response and semantic caches.
 */
class CachesEndpointTests {

	private final ToolResultCache tool = ToolResultCache.builder().tool("get_current_weather").build();

	private final TestManagedCache semantic = new TestManagedCache("semantic");

	private final CachesEndpoint endpoint = new CachesEndpoint(List.<ManagedCache>of(this.tool, this.semantic));

	@Test
	void whenTheReportIsReadThenEveryCacheIsListedByNameWithItsCounters() {
		ToolCallback weather = this.tool.decorate(TestTools.weather());
		weather.call("{\"location\":\"Paris\"}", context("acme"));
		weather.call("{\"location\":\"Paris\"}", context("acme"));
		weather.call("{\"location\":\"Paris\"}", context("acme"));
		weather.call("{\"location\":\"Rome\"}", context("acme"));
		weather.call("{\"location\":\"Rome\"}");

		CachesDescriptor report = this.endpoint.caches();

		assertThat(report.caches()).extracting(CacheDescriptor::name).containsExactly("semantic", "tool");
		CacheDescriptor tool = report.caches().get(1);
		assertThat(tool.size()).isEqualTo(2);
		assertThat(tool.hits()).isEqualTo(2);
		assertThat(tool.misses()).isEqualTo(2);
		assertThat(tool.hitRatio()).isEqualTo(0.5);
		assertThat(tool.bypasses()).isEqualTo(1);
		assertThat(tool.stores()).isEqualTo(2);
		assertThat(tool.evictions()).isZero();
		assertThat(tool.failures()).isZero();
		assertThat(tool.savedTokens()).isZero();
		assertThat(tool.similarity()).isNull();
	}

	@Test
	void whenASemanticCacheRecordedSimilaritiesSavingsAndShadowHitsThenItsReportShowsThem() {
		this.semantic.put("acme", 3);
		CachedResponse answer = CachedResponse
			.of(new ChatResponse(List.of(new Generation(new AssistantMessage("Paris.")))), null, 0);
		this.semantic.statistics().recordHit(answer);
		this.semantic.statistics().recordMiss();
		this.semantic.statistics().recordShadowHit();
		this.semantic.statistics().recordSimilarity(0.955);
		this.semantic.statistics().recordSimilarity(0.5);
		this.semantic.statistics().recordFailure();

		CacheDescriptor semantic = this.endpoint.cache("semantic");

		assertThat(semantic.size()).isEqualTo(3);
		assertThat(semantic.shadowHits()).isEqualTo(1);
		assertThat(semantic.failures()).isEqualTo(1);
		assertThat(semantic.savedCost()).isEqualByComparingTo(BigDecimal.ZERO);
		assertThat(semantic.similarity()).hasSize(11);
		assertThat(semantic.similarity().get(0)).isEqualTo(new SimilarityBucketDescriptor(0.0, 0.80, 1));
		assertThat(semantic.similarity().get(6)).isEqualTo(new SimilarityBucketDescriptor(0.95, 0.96, 1));
		assertThat(semantic.similarity().get(10)).isEqualTo(new SimilarityBucketDescriptor(0.99, 1.0, 0));
	}

	@Test
	void whenAnUnknownCacheIsReadOrClearedThenTheAnswerIsNotFound() {
		assertThat(this.endpoint.cache("response")).isNull();
		assertThat(this.endpoint.clear("response", null)).isNull();
	}

	@Test
	void whenACacheIsClearedThenAllItsEntriesGoAndTheAnswerSaysHowMany() {
		this.semantic.put("acme", 3).put("globex", 2);

		assertThat(this.endpoint.clear("semantic", null)).isEqualTo(new ClearedDescriptor("semantic", null, 5L));
		assertThat(this.endpoint.cache("semantic").size()).isZero();
	}

	@Test
	void whenOneTenantOfACacheIsClearedThenOnlyItsEntriesGo() {
		ToolCallback weather = this.tool.decorate(TestTools.weather());
		weather.call("{\"location\":\"Paris\"}", context("acme"));
		weather.call("{\"location\":\"Rome\"}", context("acme"));
		weather.call("{\"location\":\"Paris\"}", context("globex"));

		assertThat(this.endpoint.clear("tool", "acme")).isEqualTo(new ClearedDescriptor("tool", "acme", 2L));
		assertThat(this.endpoint.cache("tool").size()).isEqualTo(1);
		assertThat(this.endpoint.clear("tool", "")).isEqualTo(new ClearedDescriptor("tool", null, 1L));
	}

	@Test
	void whenTheStoreCannotTellItsSizeOrWhatWentThenTheReportLeavesThemOut() {
		TestManagedCache shared = new TestManagedCache("response").unknownSize().put("acme", 4);
		CachesEndpoint endpoint = new CachesEndpoint(List.of(shared));

		assertThat(endpoint.cache("response").size()).isNull();
		assertThat(endpoint.clear("response", "acme").removed()).isNull();
	}

	@Test
	void whenTheReportIsWrittenAsJsonThenItHoldsCountsAndNoKeysPromptsOrResults() throws Exception {
		ToolCallback weather = this.tool.decorate(TestTools.weather());
		weather.call("{\"location\":\"Paris\"}", context("acme"));

		String json = new ObjectMapper().writeValueAsString(this.endpoint.caches());

		assertThat(json).contains("\"name\":\"tool\"", "\"hitRatio\"", "\"savedCost\"")
			.doesNotContain("Paris", "temperature", "acme", "get_current_weather");
	}

	private static ToolContext context(String tenant) {
		return new ToolContext(Map.of(ResourceContextKeys.SCOPE, new CallScope(tenant, "alice", "c-1")));
	}

}
