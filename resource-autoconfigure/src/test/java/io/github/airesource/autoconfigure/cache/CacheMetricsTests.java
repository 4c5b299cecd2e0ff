package io.github.airesource.autoconfigure.cache;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.cache.TestManagedCache;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.cache.tool.ToolResultCache;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.testsupport.TestTools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache meters: lookups by cache and result, size, stores, evictions, failures,
 * shadow hits and savings, read from each cache's counters.
 */
class CacheMetricsTests {

	private final MeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void whenATwiceCalledToolIsCachedThenTheLookupsCountAHitAMissAndABypass() {
		ToolResultCache cache = ToolResultCache.builder().tool("get_current_weather").build();
		CacheMetrics.bind(cache, this.registry);
		ToolCallback weather = cache.decorate(TestTools.weather());
		ToolContext acme = new ToolContext(Map.of(ResourceContextKeys.SCOPE, new CallScope("acme", "alice", null)));

		weather.call("{\"location\":\"Paris\"}", acme);
		weather.call("{\"location\":\"Paris\"}", acme);
		weather.call("{\"location\":\"Paris\"}");

		assertThat(lookups("tool", "hit")).isEqualTo(1);
		assertThat(lookups("tool", "miss")).isEqualTo(1);
		assertThat(lookups("tool", "bypass")).isEqualTo(1);
		assertThat(this.registry.get("ai.resource.cache.size").tag("cache", "tool").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("ai.resource.cache.stores").tag("cache", "tool").functionCounter().count())
			.isEqualTo(1);
	}

	@Test
	void whenACacheCountsEvictionsFailuresAndShadowHitsThenEachHasItsMeterTaggedByCacheOnly() {
		TestManagedCache semantic = new TestManagedCache("semantic");
		CacheMetrics.bind(semantic, this.registry);
		semantic.statistics().recordEviction();
		semantic.statistics().recordFailure();
		semantic.statistics().recordFailure();
		semantic.statistics().recordShadowHit();

		assertThat(count("ai.resource.cache.evictions", "semantic")).isEqualTo(1);
		assertThat(count("ai.resource.cache.failures", "semantic")).isEqualTo(2);
		assertThat(count("ai.resource.cache.shadow.hits", "semantic")).isEqualTo(1);
		assertThat(count("ai.resource.cache.saved.tokens", "semantic")).isZero();
		assertThat(count("ai.resource.cache.saved.cost", "semantic")).isZero();
		assertThat(this.registry.getMeters()).allSatisfy((meter) -> {
			assertThat(meter.getId().getName()).startsWith("ai.resource.cache.");
			assertThat(meter.getId().getTags()).extracting((tag) -> tag.getKey()).isSubsetOf("cache", "result");
		});
	}

	@Test
	void whenAStoreCannotTellItsSizeThenTheGaugeIsNotANumber() {
		CacheMetrics.bind(new TestManagedCache("response").unknownSize(), this.registry);

		assertThat(this.registry.get("ai.resource.cache.size").tag("cache", "response").gauge().value()).isNaN();
	}

	@Test
	void whenMicrometerIsPresentThenEveryCacheBeanIsMeteredWhateverItsAutoConfiguration() {
		new ApplicationContextRunner().withConfiguration(ResourceAutoConfigurations.resource())
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.withPropertyValues("ai.resource.cache.tool.enabled=true", "ai.resource.cache.tool.tools.x=1m")
			.withBean("responseCache", ManagedCache.class, () -> new TestManagedCache("response"))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("ai.resource.cache.lookups").tags("result", "miss").functionCounters())
					.extracting((counter) -> counter.getId().getTag("cache"))
					.containsExactlyInAnyOrder("response", "tool");
			});
	}

	@Test
	void whenMicrometerIsMissingThenNoBinderExists() {
		new ApplicationContextRunner().withConfiguration(ResourceAutoConfigurations.resource())
			.withPropertyValues("ai.resource.cache.tool.enabled=true")
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).doesNotHaveBean(MeterBinder.class).hasNotFailed());
	}

	private double lookups(String cache, String result) {
		return this.registry.get("ai.resource.cache.lookups")
			.tags("cache", cache, "result", result)
			.functionCounter()
			.count();
	}

	private double count(String name, String cache) {
		return this.registry.get(name).tag("cache", cache).functionCounter().count();
	}

}
