package io.github.airesource.benchmarks;

import java.util.ArrayList;
import java.util.List;

import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A stand-in for an embedding model that costs next to nothing: a deterministic
 * 384-dimension vector derived from the text's hash, so that a text never seen before
 * lands far from every stored one and the semantic cache misses, and the benchmark
 * measures the cache's own work rather than a model's. Used by {@code FullChainBenchmark}
 * and by the gateway comparison's front.
 */
public final class HashEmbeddingModel implements EmbeddingModel {

	/** The dimensions of every vector, all-MiniLM-L6-v2's. */
	public static final int DIMENSIONS = 384;

	@Override
	public EmbeddingResponse call(EmbeddingRequest request) {
		List<Embedding> embeddings = new ArrayList<>(request.getInstructions().size());
		for (String text : request.getInstructions()) {
			embeddings.add(new Embedding(vector(text), embeddings.size()));
		}
		return new EmbeddingResponse(embeddings);
	}

	@Override
	public float[] embed(Document document) {
		return vector(document.getText());
	}

	@Override
	public int dimensions() {
		return DIMENSIONS;
	}

	/**
	 * Return a vector whose components follow from the text's hash by a SplitMix64
	 * sequence: unrelated texts give unrelated vectors, the same text the same one.
	 */
	static float[] vector(String text) {
		float[] vector = new float[DIMENSIONS];
		long state = (text != null) ? text.hashCode() : 0;
		for (int i = 0; i < DIMENSIONS; i++) {
			state += 0x9E3779B97F4A7C15L;
			long mixed = state;
			mixed = (mixed ^ (mixed >>> 30)) * 0xBF58476D1CE4E5B9L;
			mixed = (mixed ^ (mixed >>> 27)) * 0x94D049BB133111EBL;
			mixed ^= (mixed >>> 31);
			vector[i] = (float) ((mixed >>> 40) / (double) (1L << 24) - 0.5);
		}
		return vector;
	}

}
