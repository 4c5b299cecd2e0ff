package io.github.airesource.benchmarks.gateway.front;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * A stand-in embedding model for the semantic cache of the gateway comparison: each text
 * gets a unit vector of 384 dimensions (all-MiniLM-L6-v2's size) drawn from a generator
 * seeded by the text, so equal texts get equal vectors and different texts nearly
 * orthogonal ones. It costs microseconds where a real embedding model costs a model call
 * (a network round trip to a provider, or milliseconds of local inference), which the
 * comparison leaves out on purpose: it measures the starter, not an embedding provider.
 */
public final class HashEmbeddingModel implements EmbeddingModel {

	/** The dimensions of every vector. */
	public static final int DIMENSIONS = 384;

	@Override
	public EmbeddingResponse call(EmbeddingRequest request) {
		List<Embedding> embeddings = new ArrayList<>(request.getInstructions().size());
		for (String text : request.getInstructions()) {
			embeddings.add(new Embedding(vectorOf(text), embeddings.size()));
		}
		return new EmbeddingResponse(embeddings);
	}

	@Override
	public float[] embed(Document document) {
		return vectorOf(getEmbeddingContent(document));
	}

	@Override
	public int dimensions() {
		return DIMENSIONS;
	}

	static float[] vectorOf(String text) {
		CRC32C crc = new CRC32C();
		crc.update(text.getBytes(StandardCharsets.UTF_8));
		SplittableRandom random = new SplittableRandom(crc.getValue() * 0x9E3779B97F4A7C15L + text.length());
		float[] vector = new float[DIMENSIONS];
		double norm = 0;
		for (int i = 0; i < DIMENSIONS; i++) {
			double value = random.nextGaussian();
			vector[i] = (float) value;
			norm += value * value;
		}
		float scale = (float) (1 / Math.sqrt(norm));
		for (int i = 0; i < DIMENSIONS; i++) {
			vector[i] *= scale;
		}
		return vector;
	}

}
