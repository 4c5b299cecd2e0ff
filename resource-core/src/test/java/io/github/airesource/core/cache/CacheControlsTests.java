package io.github.airesource.core.cache;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CacheControlsTests {

	@Test
	void whenNoParamsThenNoControls() {
		assertThat(CacheControls.of(Map.of())).isSameAs(CacheControls.NONE);
	}

	@Test
	void whenParamsGivenThenEachIsRead() {
		CacheControls controls = CacheControls.of(Map.of(ResourceContextKeys.CACHE_BYPASS, "true",
				ResourceContextKeys.CACHE_REFRESH, true, ResourceContextKeys.CACHE_TTL, "5m",
				ResourceContextKeys.CACHE_NAMESPACE, "faq", ResourceContextKeys.CACHE_THRESHOLD, 0.97));

		assertThat(controls.bypass()).isTrue();
		assertThat(controls.refresh()).isTrue();
		assertThat(controls.ttl()).isEqualTo(Duration.ofMinutes(5));
		assertThat(controls.namespace()).isEqualTo("faq");
		assertThat(controls.threshold()).isEqualTo(0.97);
	}

	@Test
	void whenTtlIsGivenInAnyFormThenItIsRead() {
		assertThat(ttl(Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
		assertThat(ttl(30)).isEqualTo(Duration.ofSeconds(30));
		assertThat(ttl(1.5)).isEqualTo(Duration.ofMillis(1500));
		assertThat(ttl("250ms")).isEqualTo(Duration.ofMillis(250));
		assertThat(ttl("2h")).isEqualTo(Duration.ofHours(2));
		assertThat(ttl("1d")).isEqualTo(Duration.ofDays(1));
		assertThat(ttl("PT10M")).isEqualTo(Duration.ofMinutes(10));
		assertThat(CacheControls.NONE.ttlOr(Duration.ofHours(1))).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void whenARequestAsksForALowerThresholdThenTheConfiguredOneStays() {
		assertThat(threshold(0.5).thresholdAtLeast(0.95)).isEqualTo(0.95);
		assertThat(threshold(0.99).thresholdAtLeast(0.95)).isEqualTo(0.99);
		assertThat(CacheControls.NONE.thresholdAtLeast(0.95)).isEqualTo(0.95);
	}

	@Test
	void whenAParamHasAValueOfTheWrongKindThenTheErrorNamesIt() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CacheControls.of(Map.of(ResourceContextKeys.CACHE_BYPASS, "yes please")))
			.withMessageContaining(ResourceContextKeys.CACHE_BYPASS);
		assertThatIllegalArgumentException().isThrownBy(() -> ttl("soon"))
			.withMessageContaining(ResourceContextKeys.CACHE_TTL);
		assertThatIllegalArgumentException().isThrownBy(() -> ttl("0s"))
			.withMessageContaining(ResourceContextKeys.CACHE_TTL);
		assertThatIllegalArgumentException().isThrownBy(() -> threshold(1.5))
			.withMessageContaining(ResourceContextKeys.CACHE_THRESHOLD);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CacheControls.of(Map.of(ResourceContextKeys.CACHE_THRESHOLD, "high")))
			.withMessageContaining(ResourceContextKeys.CACHE_THRESHOLD);
	}

	private static Duration ttl(Object value) {
		return CacheControls.of(Map.of(ResourceContextKeys.CACHE_TTL, value)).ttl();
	}

	private static CacheControls threshold(double value) {
		return CacheControls.of(Map.of(ResourceContextKeys.CACHE_THRESHOLD, value));
	}

}
