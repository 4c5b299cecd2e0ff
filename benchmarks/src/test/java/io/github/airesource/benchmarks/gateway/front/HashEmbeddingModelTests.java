package io.github.airesource.benchmarks.gateway.front;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.document.Document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HashEmbeddingModelTests {

	private final HashEmbeddingModel model = new HashEmbeddingModel();

	@Test
	void equalTextsGetEqualUnitVectorsOfTheModelsDimensions() {
		float[] vector = this.model.embed("Where is my order?");

		assertThat(vector).hasSize(this.model.dimensions()).hasSize(384);
		assertThat(this.model.embed("Where is my order?")).containsExactly(vector);
		assertThat(this.model.embed(new Document("Where is my order?"))).containsExactly(vector);
		assertThat(dot(vector, vector)).isCloseTo(1.0, within(1e-5));
	}

	@Test
	void differentTextsAreFarBelowTheSemanticCachesThreshold() {
		List<float[]> vectors = this.model.embed(List.of("Question 1: where is my order?",
				"Question 2: where is my order?", "Question 1: where is my order!"));

		assertThat(dot(vectors.get(0), vectors.get(1))).isLessThan(0.3);
		assertThat(dot(vectors.get(0), vectors.get(2))).isLessThan(0.3);
		assertThat(dot(vectors.get(1), vectors.get(2))).isLessThan(0.3);
	}

	private static double dot(float[] a, float[] b) {
		double sum = 0;
		for (int i = 0; i < a.length; i++) {
			sum += a[i] * b[i];
		}
		return sum;
	}

}
