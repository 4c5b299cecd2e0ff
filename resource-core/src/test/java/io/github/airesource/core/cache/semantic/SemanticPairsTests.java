package io.github.airesource.core.cache.semantic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.airesource.testsupport.MiniLmEmbeddingModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Precision and recall of the semantic cache's hit decision (cosine at the shipped
 * threshold and the {@link RequestAgreement} guard) on a labelled set of request pairs,
 * with the real all-MiniLM-L6-v2 model.
 */
class SemanticPairsTests {

	/** The shipped {@code ai.resource.cache.semantic.similarity-threshold}. */
	static final double THRESHOLD = 0.95;

	/** The recall measured on the set (64 of 110) when the guard was written; a floor. */
	static final double RECALL_FLOOR = 0.58;

	static final MiniLmEmbeddingModel model = new MiniLmEmbeddingModel();

	static List<Pair> pairs;

	@BeforeAll
	static void score() throws IOException {
		pairs = new ArrayList<>();
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(
				SemanticPairsTests.class.getResourceAsStream("/semantic/pairs.tsv"), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.isBlank() || line.startsWith("#")) {
					continue;
				}
				String[] fields = line.split("\t");
				pairs.add(new Pair(fields[0].equals("1"), fields[1], fields[2], fields[3],
						cosine(model.vector(fields[2]), model.vector(fields[3])),
						RequestAgreement.agree(fields[2], fields[3])));
			}
		}
	}

	@Test
	void whenScoringTheLabelledPairsThenNoWrongHitAndRecallStaysAboveTheMeasuredFloor() {
		int truePositives = 0;
		int falsePositives = 0;
		int falseNegatives = 0;
		int cosineOnlyWrongHits = 0;
		for (Pair pair : pairs) {
			boolean hit = pair.cosine >= THRESHOLD && pair.agree;
			if (!pair.shouldHit && pair.cosine >= THRESHOLD) {
				cosineOnlyWrongHits++;
			}
			if (hit && pair.shouldHit) {
				truePositives++;
			}
			else if (hit) {
				falsePositives++;
			}
			else if (pair.shouldHit) {
				falseNegatives++;
			}
			System.out.printf(Locale.ROOT, "%s %-10s %.4f %-5s %s | %s%n", pair.shouldHit ? "+" : "-", pair.kind,
					pair.cosine, pair.agree, pair.first, pair.second);
		}
		double precision = (truePositives + falsePositives > 0)
				? (double) truePositives / (truePositives + falsePositives) : 1.0;
		double recall = (double) truePositives / (truePositives + falseNegatives);
		System.out.printf(Locale.ROOT,
				"pairs=%d positives=%d negatives=%d tp=%d fp=%d fn=%d precision=%.4f recall=%.4f cosine-only wrong hits=%d%n",
				pairs.size(), truePositives + falseNegatives, pairs.size() - truePositives - falseNegatives,
				truePositives, falsePositives, falseNegatives, precision, recall, cosineOnlyWrongHits);
		assertThat(pairs).hasSizeGreaterThanOrEqualTo(200);
		assertThat(falsePositives).as("wrong hits at the shipped threshold").isZero();
		assertThat(recall).isGreaterThanOrEqualTo(RECALL_FLOOR);
	}

	static double cosine(float[] a, float[] b) {
		double dot = 0;
		double na = 0;
		double nb = 0;
		for (int i = 0; i < a.length; i++) {
			dot += a[i] * b[i];
			na += a[i] * a[i];
			nb += b[i] * b[i];
		}
		return dot / Math.sqrt(na * nb);
	}

	record Pair(boolean shouldHit, String kind, String first, String second, double cosine, boolean agree) {

	}

}
