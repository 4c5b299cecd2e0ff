package io.github.airesource.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;

import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * The real all-MiniLM-L6-v2 sentence-embedding model (quantized ONNX, shipped inside
 * LangChain4j's jar, runs offline on the CPU) as a Spring AI {@link EmbeddingModel}, for
 * semantic-cache tests. The ONNX session is loaded once per JVM and shared: it is
 * thread-safe and takes about a second to load.
 */
public final class MiniLmEmbeddingModel implements EmbeddingModel {

	/** The model name reported in the response metadata. */
	public static final String MODEL = "all-minilm-l6-v2";

	private static volatile AllMiniLmL6V2QuantizedEmbeddingModel shared;

	private final AtomicInteger calls = new AtomicInteger();

	private volatile boolean failing;

	/**
	 * Return how many embedding requests this instance answered or failed.
	 * @return the count
	 */
	public int calls() {
		return this.calls.get();
	}

	/**
	 * Make every following request fail, as a provider outage would.
	 * @param failing whether to fail
	 */
	public void failing(boolean failing) {
		this.failing = failing;
	}

	/**
	 * Embed one text.
	 * @param text the text
	 * @return the normalized 384-dimension vector
	 */
	public float[] vector(String text) {
		return model().embed(text).content().vector();
	}

	@Override
	public EmbeddingResponse call(EmbeddingRequest request) {
		this.calls.incrementAndGet();
		if (this.failing) {
			throw new IllegalStateException("embedding model unavailable");
		}
		List<TextSegment> segments = new ArrayList<>();
		for (String text : request.getInstructions()) {
			segments.add(TextSegment.from(text));
		}
		Response<List<dev.langchain4j.data.embedding.Embedding>> response = model().embedAll(segments);
		List<Embedding> embeddings = new ArrayList<>();
		for (int i = 0; i < response.content().size(); i++) {
			embeddings.add(new Embedding(response.content().get(i).vector(), i));
		}
		int tokens = (response.tokenUsage() != null && response.tokenUsage().inputTokenCount() != null)
				? response.tokenUsage().inputTokenCount() : 0;
		return new EmbeddingResponse(embeddings,
				new EmbeddingResponseMetadata(MODEL, new DefaultUsage(tokens, 0, tokens)));
	}

	@Override
	public float[] embed(Document document) {
		return call(new EmbeddingRequest(List.of(document.getText()), null)).getResult().getOutput();
	}

	@Override
	public int dimensions() {
		return 384;
	}

	private static AllMiniLmL6V2QuantizedEmbeddingModel model() {
		AllMiniLmL6V2QuantizedEmbeddingModel model = shared;
		if (model == null) {
			synchronized (MiniLmEmbeddingModel.class) {
				model = shared;
				if (model == null) {
					model = new AllMiniLmL6V2QuantizedEmbeddingModel();
					shared = model;
				}
			}
		}
		return model;
	}

}
