package io.github.airesource.core.cache.semantic;

import java.time.Duration;
import java.util.List;

import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.CachedResponse.CachedGeneration;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticCandidate;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticEntry;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticQuery;
import io.github.airesource.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory semantic store: exact brute-force search within one partition, TTL and
 * entry bounds, clearing.
 */
class InMemorySemanticCacheStoreTests {

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemorySemanticCacheStore store = new InMemorySemanticCacheStore(100, this.clock);

	@Test
	void whenSearchingThenTheNearestEntriesOfThatPartitionComeFirstWithTheirCosine() {
		put("p1", "t", "east", unit(1, 0, 0));
		put("p1", "t", "north-east", unit(1, 1, 0));
		put("p1", "t", "north", unit(0, 1, 0));
		put("p2", "t", "exactly east elsewhere", unit(1, 0, 0));

		List<SemanticCandidate> nearest = this.store.nearest(new SemanticQuery("p1", "q", unit(1, 0.1f, 0)), 2);

		assertThat(nearest).extracting(SemanticCandidate::text).containsExactly("east", "north-east");
		assertThat(nearest.get(0).similarity()).isCloseTo(0.995, org.assertj.core.data.Offset.offset(0.001));
	}

	@Test
	void whenAnotherPartitionHoldsTheSameVectorThenItIsNeverACandidate() {
		put("tenant-a-partition", "a", "same", unit(1, 0, 0));

		assertThat(this.store.nearest(new SemanticQuery("tenant-b-partition", "same", unit(1, 0, 0)), 4)).isEmpty();
	}

	@Test
	void whenAnEntryOutlivesItsTtlThenItIsNotFoundAndLeavesTheStore() {
		this.store.put(new SemanticEntry("p", "t", "short", unit(1, 0, 0), response("a"), Duration.ofMinutes(1)));
		this.store.put(new SemanticEntry("p", "t", "long", unit(1, 0, 0), response("b"), Duration.ofMinutes(10)));

		this.clock.advance(Duration.ofMinutes(2));

		assertThat(this.store.nearest(new SemanticQuery("p", "q", unit(1, 0, 0)), 4))
			.extracting(SemanticCandidate::text)
			.containsExactly("long");
		assertThat(this.store.size()).isEqualTo(1);
	}

	@Test
	void whenSearchingWithAThresholdThenAnExpiredEntryIsNotFoundEvenIfItIsTheNearest() {
		this.store.put(new SemanticEntry("p", "t", "short", unit(1, 0, 0), response("a"), Duration.ofMinutes(1)));
		this.store.put(new SemanticEntry("p", "t", "long", unit(1, 0.2f, 0), response("b"), Duration.ofMinutes(10)));

		this.clock.advance(Duration.ofMinutes(2));

		assertThat(this.store.nearest(new SemanticQuery("p", "q", unit(1, 0, 0)), 4, 0.95))
			.extracting(SemanticCandidate::text)
			.containsExactly("long");
	}

	@Test
	void whenMoreThanMaxEntriesAreStoredThenTheStoreStaysBoundedAndCountsEvictions() {
		InMemorySemanticCacheStore small = new InMemorySemanticCacheStore(10, this.clock);
		for (int i = 0; i < 50; i++) {
			small.put(new SemanticEntry("p" + (i % 3), "t", "q" + i, unit(i, 1, 0), response("a" + i),
					Duration.ofHours(1)));
		}

		assertThat(small.size()).isEqualTo(10);
		assertThat(small.statistics().snapshot().evictions()).isEqualTo(40);
		int found = 0;
		for (int p = 0; p < 3; p++) {
			found += small.nearest(new SemanticQuery("p" + p, "q", unit(1, 1, 0)), 50).size();
		}
		assertThat(found).as("evicted entries left the partitions too").isEqualTo(10);
	}

	@Test
	void whenClearingATenantThenOnlyItsEntriesGo() {
		put("pa", "tenant-a", "x", unit(1, 0, 0));
		put("pa2", "tenant-a", "y", unit(1, 0, 0));
		put("pb", "tenant-b", "z", unit(1, 0, 0));

		assertThat(this.store.clearTenant("tenant-a")).isEqualTo(2);

		assertThat(this.store.size()).isEqualTo(1);
		assertThat(this.store.nearest(new SemanticQuery("pa", "q", unit(1, 0, 0)), 4)).isEmpty();
		assertThat(this.store.nearest(new SemanticQuery("pb", "q", unit(1, 0, 0)), 4)).hasSize(1);
		assertThat(this.store.partitions()).isEqualTo(1);
	}

	@Test
	void whenMostEntriesOfAPartitionAreRemovedThenTheRestAreStillFoundExactly() {
		java.util.SplittableRandom random = new java.util.SplittableRandom(7);
		InMemorySemanticCacheStore large = new InMemorySemanticCacheStore(1000, this.clock);
		float[][] vectors = new float[300][];
		for (int i = 0; i < vectors.length; i++) {
			float[] values = new float[384];
			for (int d = 0; d < values.length; d++) {
				values[d] = (float) random.nextGaussian();
			}
			vectors[i] = unit(values);
			large.put(new SemanticEntry("p", (i % 10 == 0) ? "kept" : "gone", "q" + i, vectors[i], response("a"),
					Duration.ofHours(1)));
		}

		assertThat(large.clearTenant("gone")).isEqualTo(270);

		for (int i = 0; i < vectors.length; i += 10) {
			List<SemanticCandidate> nearest = large.nearest(new SemanticQuery("p", "q", vectors[i]), 1);
			assertThat(nearest).extracting(SemanticCandidate::text).containsExactly("q" + i);
			assertThat(nearest.get(0).similarity()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
		}
	}

	@Test
	void whenClearedThenEmpty() {
		put("pa", "tenant-a", "x", unit(1, 0, 0));
		put("pb", "tenant-b", "z", unit(1, 0, 0));

		assertThat(this.store.clear()).isEqualTo(2);

		assertThat(this.store.size()).isZero();
		assertThat(this.store.partitions()).isZero();
		assertThat(this.store.name()).isEqualTo("semantic");
	}

	@Test
	void whenVectorsOfAnotherDimensionArriveThenTheyAreNotMixedIn() {
		put("p", "t", "three", unit(1, 0, 0));
		put("p", "t", "four", unit(1, 0, 0, 0));

		assertThat(this.store.size()).isEqualTo(1);
		assertThat(this.store.nearest(new SemanticQuery("p", "q", unit(1, 0, 0, 0)), 4)).isEmpty();
	}

	private void put(String partition, String tenant, String text, float[] vector) {
		this.store.put(new SemanticEntry(partition, tenant, text, vector, response(text), Duration.ofHours(1)));
	}

	static CachedResponse response(String text) {
		return new CachedResponse("gpt-4o-mini", "id", List.of(new CachedGeneration(text, "stop")), 10, 0, 5, 0, -1, 0);
	}

	static float[] unit(float... values) {
		return SemanticCacheAdvisor.normalized(values.clone());
	}

}
