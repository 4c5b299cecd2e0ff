package io.github.airesource.core.cache.semantic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticCandidate;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticEntry;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticQuery;
import io.github.airesource.testsupport.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The in-memory store's pruned search (sign-bit bound, then exact scoring) against an
 * exhaustive exact scan: at and above the threshold it must return the same entries in
 * the same order with the same similarities, on random vectors and on clustered vectors
 * (many near neighbours, the hard case for any prefilter), for queries whose best match
 * is above 0.9.
 */
class InMemorySemanticCacheStoreSearchTests {

	private static final int DIMENSIONS = 384;

	private static final int ENTRIES = 5_000;

	private static final int QUERIES = 300;

	private final MutableClock clock = MutableClock.atNewYear2026();

	@ParameterizedTest(name = "{0} vectors, threshold {1}")
	@CsvSource({ "random, 0.9", "random, 0.95", "clustered, 0.9", "clustered, 0.95", "clustered, 0.8" })
	void whenSearchingWithAThresholdThenCandidatesAtOrAboveItAreThoseOfAnExhaustiveExactScan(String kind,
			double threshold) {
		SplittableRandom random = new SplittableRandom(kind.hashCode() * 31L + (long) (threshold * 100));
		boolean clustered = kind.equals("clustered");
		float[][] centers = new float[50][];
		for (int c = 0; c < centers.length; c++) {
			centers[c] = gaussian(random, 1);
		}
		InMemorySemanticCacheStore store = new InMemorySemanticCacheStore(ENTRIES, this.clock);
		float[][] vectors = new float[ENTRIES][];
		for (int i = 0; i < ENTRIES; i++) {
			// Clustered: 50 topics, each entry its topic plus noise of its own size, so
			// neighbours range from near duplicates to loosely related (cosine 0.5 to
			// 0.99 within a topic).
			vectors[i] = clustered ? around(centers[i % centers.length], random.nextDouble(0.1, 1.0), random)
					: SemanticCacheAdvisor.normalized(gaussian(random, 1));
			store.put(new SemanticEntry("p", "t", "e" + i, vectors[i], InMemorySemanticCacheStoreTests.response("a"),
					Duration.ofHours(1)));
		}
		int strongQueries = 0;
		int sameBestBelowThreshold = 0;
		int weakQueries = 0;
		for (int q = 0; q < QUERIES; q++) {
			// Most queries are a stored entry moved a little (best match above 0.9), the
			// rest fresh vectors of the same kind (usually no match above 0.9).
			float[] query = (q % 4 != 3)
					? around(vectors[random.nextInt(ENTRIES)], random.nextDouble(0.05, 0.45), random)
					: clustered ? around(centers[random.nextInt(centers.length)], 1.0, random)
							: SemanticCacheAdvisor.normalized(gaussian(random, 1));
			List<SemanticCandidate> exhaustive = exhaustive(vectors, query, 4);
			List<SemanticCandidate> pruned = store.nearest(new SemanticQuery("p", "q", query), 4, threshold);

			assertThat(atOrAbove(pruned, threshold)).as("query %d", q)
				.usingRecursiveFieldByFieldElementComparatorIgnoringFields("response")
				.isEqualTo(atOrAbove(exhaustive, threshold));
			if (exhaustive.get(0).similarity() > 0.9) {
				strongQueries++;
				assertThat(pruned.get(0).text()).as("query %d", q).isEqualTo(exhaustive.get(0).text());
			}
			else {
				weakQueries++;
				if (pruned.get(0).text().equals(exhaustive.get(0).text())) {
					sameBestBelowThreshold++;
				}
			}
		}
		assertThat(strongQueries).as("queries with a best match above 0.9").isGreaterThan(QUERIES / 2);
		System.out.printf(
				"%s threshold %.2f: %d queries with a match above 0.9 (all exact), "
						+ "%d/%d others got the exhaustive best below the threshold%n",
				kind, threshold, strongQueries, sameBestBelowThreshold, weakQueries);
	}

	@ParameterizedTest(name = "{0} dimensions")
	@ValueSource(ints = { 0, 1, 3, 4, 5, 7, 384, 385, 387 })
	void whenScoringExactlyThenTheSumIsTheOneOfEveryProductWhateverTheLengthsRemainderAfterFours(int dimensions) {
		SplittableRandom random = new SplittableRandom(dimensions);
		float[] a = gaussian(random, 1, dimensions);
		float[] b = gaussian(random, 1, dimensions);
		double expected = 0;
		for (int d = 0; d < dimensions; d++) {
			expected += a[d] * b[d];
		}
		// Summed in another order, so equal up to double rounding, far below the
		// float products' own precision.
		assertThat(InMemorySemanticCacheStore.exactDot(a, b)).isCloseTo(expected, within(1e-12));
		if (dimensions > 0) {
			// Every element counts, the last of the remainder too.
			float[] changedLast = b.clone();
			changedLast[dimensions - 1] += 1;
			assertThat(InMemorySemanticCacheStore.exactDot(a, changedLast)).isCloseTo(expected + a[dimensions - 1],
					within(1e-6));
		}
	}

	private static List<SemanticCandidate> exhaustive(float[][] vectors, float[] query, int limit) {
		List<SemanticCandidate> all = new ArrayList<>();
		for (int i = 0; i < vectors.length; i++) {
			all.add(new SemanticCandidate("e" + i,
					Math.min(1.0, InMemorySemanticCacheStore.exactDot(query, vectors[i])), null));
		}
		all.sort((a, b) -> Double.compare(b.similarity(), a.similarity()));
		return all.subList(0, limit);
	}

	private static List<SemanticCandidate> atOrAbove(List<SemanticCandidate> candidates, double threshold) {
		return candidates.stream().filter((candidate) -> candidate.similarity() >= threshold).toList();
	}

	private static float[] around(float[] center, double noise, SplittableRandom random) {
		float[] vector = gaussian(random, noise / Math.sqrt(DIMENSIONS));
		float[] unitCenter = SemanticCacheAdvisor.normalized(center.clone());
		for (int d = 0; d < DIMENSIONS; d++) {
			vector[d] += unitCenter[d];
		}
		return SemanticCacheAdvisor.normalized(vector);
	}

	private static float[] gaussian(SplittableRandom random, double sigma) {
		return gaussian(random, sigma, DIMENSIONS);
	}

	private static float[] gaussian(SplittableRandom random, double sigma, int dimensions) {
		float[] vector = new float[dimensions];
		for (int d = 0; d < dimensions; d++) {
			vector[d] = (float) (random.nextGaussian() * sigma);
		}
		return vector;
	}

}
