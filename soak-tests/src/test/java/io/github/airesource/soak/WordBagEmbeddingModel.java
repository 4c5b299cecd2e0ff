package io.github.airesource.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * A stand-in embedding model for the semantic cache under load: a text's vector is its
 * bag of lower-case words hashed into a few hundred dimensions, so texts with the same
 * words (whatever their case and punctuation) are identical to the cache and others are
 * far apart, at almost no CPU cost (a real model would take most of the soak's CPU). It
 * bills its prompt tokens to the {@link LoopbackProvider}'s book, as a provider would.
 */
final class WordBagEmbeddingModel implements EmbeddingModel {

	/** The model name reported, a priced one, so that embeddings have a cost. */
	static final String MODEL = "text-embedding-3-small";

	private static final int DIMENSIONS = 256;

	private final LoopbackProvider provider;

	WordBagEmbeddingModel(LoopbackProvider provider) {
		this.provider = provider;
	}

	@Override
	public EmbeddingResponse call(EmbeddingRequest request) {
		List<Embedding> embeddings = new ArrayList<>();
		int tokens = 0;
		for (String text : request.getInstructions()) {
			embeddings.add(new Embedding(vector(text), embeddings.size()));
			tokens += this.provider.bookEmbedding(text, MODEL);
		}
		return new EmbeddingResponse(embeddings,
				new EmbeddingResponseMetadata(MODEL, new DefaultUsage(tokens, 0, tokens)));
	}

	@Override
	public float[] embed(Document document) {
		return call(new EmbeddingRequest(List.of(document.getText()), null)).getResult().getOutput();
	}

	@Override
	public int dimensions() {
		return DIMENSIONS;
	}

	private static float[] vector(String text) {
		float[] vector = new float[DIMENSIONS];
		for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{Alnum}]+")) {
			if (!word.isEmpty()) {
				vector[Math.floorMod(word.hashCode(), DIMENSIONS)] += 1;
			}
		}
		double norm = 0;
		for (float value : vector) {
			norm += value * value;
		}
		if (norm > 0) {
			float scale = (float) (1 / Math.sqrt(norm));
			for (int i = 0; i < DIMENSIONS; i++) {
				vector[i] *= scale;
			}
		}
		return vector;
	}

}
