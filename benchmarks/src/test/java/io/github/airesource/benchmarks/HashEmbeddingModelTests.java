package io.github.airesource.benchmarks;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.document.Document;

import static org.assertj.core.api.Assertions.assertThat;

class HashEmbeddingModelTests {

	private final HashEmbeddingModel model = new HashEmbeddingModel();

	@Test
	void equalTextsGetEqualVectorsOfTheModelsDimensions() {
		float[] vector = this.model.embed("Where is my order?");

		assertThat(vector).hasSize(this.model.dimensions()).hasSize(384);
		assertThat(this.model.embed("Where is my order?")).containsExactly(vector);
		assertThat(this.model.embed(new Document("Where is my order?"))).containsExactly(vector);
	}

	@Test
	void differentTextsAreFarBelowTheSemanticCachesThreshold() {
		List<float[]> vectors = this.model.embed(List.of("Question 1: where is my order?",
				"Question 2: where is my order?", "Question 1: where is my order!"));

		assertThat(cosine(vectors.get(0), vectors.get(1))).isLessThan(0.3);
		assertThat(cosine(vectors.get(0), vectors.get(2))).isLessThan(0.3);
		assertThat(cosine(vectors.get(1), vectors.get(2))).isLessThan(0.3);
	}

	private static double cosine(float[] a, float[] b) {
		double dot = 0;
		double normA = 0;
		double normB = 0;
		for (int i = 0; i < a.length; i++) {
			dot += a[i] * b[i];
			normA += a[i] * a[i];
			normB += b[i] * b[i];
		}
		return dot / Math.sqrt(normA * normB);
	}

}
