package io.github.airesource.core.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory store's bounds (entries and bytes at once, through one Caffeine weight),
 * per-entry TTLs, eviction counts and per-tenant clearing.
 */
class InMemoryResponseCacheStoreTests {

	private final AtomicLong nanos = new AtomicLong();

	@Test
	void whenMoreEntriesThanTheBoundAreStoredThenTheCountStaysWithinItAndEvictionsAreCounted() {
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(3, 1L << 30, this.nanos::get);
		for (int i = 0; i < 5; i++) {
			store.put("acme", "k" + i, answer(10), Duration.ofHours(1));
		}

		assertThat(store.size()).isEqualTo(3);
		assertThat(store.statistics().snapshot().evictions()).isEqualTo(2);
		assertThat(store.statistics().snapshot().stores()).isEqualTo(5);
	}

	@Test
	void whenLargeEntriesWouldPassTheByteBoundThenFewerThanMaxEntriesAreKeptAndTheBytesStayWithinIt() {
		long maxBytes = 100_000;
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(1000, maxBytes, this.nanos::get);
		CachedResponse large = answer(10_000);
		for (int i = 0; i < 20; i++) {
			store.put("acme", "k" + i, large, Duration.ofHours(1));
		}

		assertThat(store.size()).isBetween(1L, 5L);
		assertThat(store.estimatedBytes()).isLessThanOrEqualTo(maxBytes);
		assertThat(store.statistics().snapshot().evictions()).isEqualTo(20 - store.size());
	}

	@Test
	void whenAnEntryIsLargerThanTheWholeByteBoundThenItIsNotKept() {
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(1000, 10_000, this.nanos::get);
		store.put("acme", "huge", answer(20_000), Duration.ofHours(1));

		assertThat(store.get("acme", "huge")).isNull();
	}

	@Test
	void whenEntriesHaveTheirOwnTtlsThenEachExpiresAtItsOwnTime() {
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(100, 1L << 30, this.nanos::get);
		store.put("acme", "short", answer(10), Duration.ofMinutes(1));
		store.put("acme", "long", answer(10), Duration.ofHours(1));

		this.nanos.addAndGet(Duration.ofMinutes(2).toNanos());

		assertThat(store.get("acme", "short")).isNull();
		assertThat(store.get("acme", "long")).isNotNull();
		store.put("acme", "long", answer(11), Duration.ofMinutes(1));
		this.nanos.addAndGet(Duration.ofMinutes(2).toNanos());
		assertThat(store.get("acme", "long")).as("a replaced entry takes its new TTL").isNull();
		assertThat(store.statistics().snapshot().evictions()).as("expiry is no eviction").isZero();
	}

	@Test
	void whenATenantIsClearedThenOnlyItsEntriesGoAndTheSameKeyOfAnotherTenantStays() {
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(100, 1L << 30, this.nanos::get);
		store.put("acme", "k1", answer(10), Duration.ofHours(1));
		store.put("acme", "k2", answer(10), Duration.ofHours(1));
		store.put("globex", "k1", answer(12), Duration.ofHours(1));

		assertThat(store.clearTenant("acme")).isEqualTo(2);

		assertThat(store.get("acme", "k1")).isNull();
		assertThat(store.get("globex", "k1").generations().get(0).text()).hasSize(12);
		assertThat(store.clear()).isEqualTo(1);
		assertThat(store.size()).isZero();
	}

	@Test
	void whenWeighingThenEveryEntryWeighsAtLeastOneAndBytesCountInProportionToTheByteBound() {
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(10_000, 64L << 20, this.nanos::get);

		assertThat(store.weight(1)).isEqualTo(1);
		assertThat(store.weight(6_710)).isEqualTo(1);
		assertThat(store.weight(6_711)).isEqualTo(2);
		assertThat(store.weight(64L << 20)).isEqualTo(10_000);
		assertThat(store.weight(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
	}

	static CachedResponse answer(int chars) {
		return new CachedResponse("gpt-4o-mini", "id-1",
				List.of(new CachedResponse.CachedGeneration("x".repeat(chars), "STOP")), 20, 0, 5, 0, 1000, 0);
	}

}
