package io.github.airesource.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.CachedResponse.CachedGeneration;
import io.github.airesource.core.cache.semantic.InMemorySemanticCacheStore;
import io.github.airesource.core.cache.semantic.SemanticCacheAdvisor;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticCandidate;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticEntry;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticQuery;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A semantic-cache lookup in the in-memory store: the exhaustive search of one partition
 * holding {@code entries} normalized vectors of 384 dimensions (all-MiniLM-L6-v2's size)
 * for the 4 nearest at the default threshold, as the advisor asks. Every entry is in the
 * one partition searched, the worst case; the query's embedding is not part of it (that
 * is the embedding model's call). Sample mode, so the report gives p50 and p99.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SemanticCacheBenchmark {

	private static final int DIMENSIONS = 384;

	@Param({ "10000", "100000" })
	public int entries;

	/**
	 * {@code random}: unrelated unit vectors, queries too (a lookup that misses, the
	 * common case). {@code clustered}: one topic per 100 entries, each entry its topic
	 * plus noise of its own size (cosines 0.5 to 0.99 within a topic), each query a
	 * stored entry moved a little (best match 0.9 to 0.999, a lookup that hits): many
	 * near neighbours, the hard case for the pruning.
	 */
	@Param({ "random", "clustered" })
	public String data;

	private InMemorySemanticCacheStore store;

	private float[][] queries;

	private int next;

	@Setup
	public void setUp() {
		SplittableRandom random = new SplittableRandom(42);
		boolean clustered = this.data.equals("clustered");
		float[][] topics = new float[Math.max(1, this.entries / 100)][];
		for (int i = 0; i < topics.length; i++) {
			topics[i] = unit(random);
		}
		this.store = new InMemorySemanticCacheStore(this.entries, Clock.systemUTC());
		CachedResponse response = new CachedResponse("gpt-4o-mini", "id",
				List.of(new CachedGeneration("An answer of a few words.", "stop")), 20, 0, 12, 0, -1, 0);
		float[][] stored = new float[this.entries][];
		for (int i = 0; i < this.entries; i++) {
			stored[i] = clustered ? around(topics[i % topics.length], random.nextDouble(0.1, 1.0), random)
					: unit(random);
			this.store.put(new SemanticEntry("partition", "tenant", "question " + i, stored[i], response,
					Duration.ofHours(1)));
		}
		this.queries = new float[256][];
		for (int i = 0; i < this.queries.length; i++) {
			this.queries[i] = clustered
					? around(stored[random.nextInt(this.entries)], random.nextDouble(0.05, 0.45), random)
					: unit(random);
		}
	}

	@Benchmark
	public List<SemanticCandidate> lookup() {
		float[] query = this.queries[this.next++ & 255];
		return this.store.nearest(new SemanticQuery("partition", "q", query), 4,
				SemanticCacheAdvisor.DEFAULT_SIMILARITY_THRESHOLD);
	}

	private static float[] around(float[] center, double noise, SplittableRandom random) {
		float[] vector = new float[DIMENSIONS];
		for (int i = 0; i < DIMENSIONS; i++) {
			vector[i] = center[i] + (float) (random.nextGaussian() * noise / Math.sqrt(DIMENSIONS));
		}
		return normalize(vector);
	}

	private static float[] unit(SplittableRandom random) {
		float[] vector = new float[DIMENSIONS];
		double sum = 0;
		for (int i = 0; i < DIMENSIONS; i++) {
			vector[i] = (float) random.nextGaussian();
		}
		return normalize(vector);
	}

	private static float[] normalize(float[] vector) {
		double sum = 0;
		for (float value : vector) {
			sum += value * value;
		}
		float scale = (float) (1 / Math.sqrt(sum));
		for (int i = 0; i < DIMENSIONS; i++) {
			vector[i] *= scale;
		}
		return vector;
	}

}
