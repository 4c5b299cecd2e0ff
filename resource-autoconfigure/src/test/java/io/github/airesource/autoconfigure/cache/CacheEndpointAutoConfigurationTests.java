package io.github.airesource.autoconfigure.cache;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.cache.CachesDescriptor.CacheDescriptor;
import io.github.airesource.actuate.cache.CachesEndpoint;
import io.github.airesource.actuate.cache.TestManagedCache;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.CachedResponse.CachedGeneration;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.cache.ResponseCacheStore;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the {@code aicaches} endpoint exists: with Actuator, exposed, and a cache enabled
 * or defined by the application.
 */
class CacheEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource())
		.withPropertyValues("management.endpoints.web.exposure.include=aicaches");

	private final ApplicationContextRunner toolCache = this.runner.withPropertyValues(
			"ai.resource.cache.tool.enabled=true", "ai.resource.cache.tool.tools.get_current_weather=5m");

	@Test
	void whenTheToolCacheIsEnabledAndTheEndpointExposedThenItListsTheToolCache() {
		this.toolCache.run((context) -> {
			assertThat(context).hasSingleBean(CachesEndpoint.class);
			assertThat(context.getBean(CachesEndpoint.class).caches().caches()).extracting(CacheDescriptor::name)
				.containsExactly("tool");
		});
	}

	@Test
	void whenTheEndpointIsNotExposedThenItDoesNotExist() {
		this.toolCache.withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(CachesEndpoint.class));
	}

	@Test
	void whenNoCacheIsEnabledThenTheEndpointDoesNotExist() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(CachesEndpoint.class));
	}

	@Test
	void whenOnlyAnotherCacheIsEnabledThenTheEndpointExistsAndFindsItsCacheBeanOnEachRead() {
		this.runner.withPropertyValues("ai.resource.cache.response.enabled=true").run((context) -> {
			CachesEndpoint endpoint = context.getBean(CachesEndpoint.class);
			assertThat(endpoint.cache("response").size()).isZero();
			context.getBean(ResponseCacheStore.class)
				.put("acme", "k1", new CachedResponse("gpt-4o-mini", "",
						List.of(new CachedGeneration("Paris.", "stop")), 10, 0, 2, 0, -1, 0), Duration.ofMinutes(5));
			assertThat(endpoint.cache("response").size()).isEqualTo(1);
		});
	}

	@Test
	void whenTheApplicationDefinesACacheOfItsOwnThenTheEndpointShowsIt() {
		this.runner.withBean(ManagedCache.class, () -> new TestManagedCache("response"))
			.run((context) -> assertThat(context.getBean(CachesEndpoint.class).caches().caches())
				.extracting(CacheDescriptor::name)
				.containsExactly("response"));
	}

	@Test
	void whenTheApplicationDefinesItsOwnEndpointThenTheAutoConfiguredOneBacksOff() {
		CachesEndpoint own = new CachesEndpoint(List.of());
		this.toolCache.withBean(CachesEndpoint.class, () -> own)
			.run((context) -> assertThat(context.getBean(CachesEndpoint.class)).isSameAs(own));
	}

	@Test
	void whenActuatorIsMissingThenTheEndpointDoesNotExistButTheCacheDoes() {
		this.toolCache.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).doesNotHaveBean(CachesEndpoint.class)
				.hasBean("resourceToolResultCache"));
	}

	@Test
	void whenAiResourceIsDisabledThenTheEndpointDoesNotExist() {
		this.toolCache.withPropertyValues("ai.resource.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CachesEndpoint.class));
	}

}
