package io.github.airesource.core.cache.semantic;

import java.time.Duration;
import java.util.List;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticCandidate;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticEntry;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticQuery;
import io.github.airesource.testsupport.MiniLmEmbeddingModel;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;

import static org.assertj.core.api.Assertions.assertThat;
import static io.github.airesource.core.cache.semantic.InMemorySemanticCacheStoreTests.response;

/**
 * The semantic cache in a Spring AI {@code VectorStore} (Spring AI's
 * {@link SimpleVectorStore} with the real all-MiniLM-L6-v2 model): partition and expiry
 * as metadata filters, entry bounds, clearing, and end to end behind the advisor.
 */
class VectorStoreSemanticCacheStoreTests {

	private final MiniLmEmbeddingModel embeddings = new MiniLmEmbeddingModel();

	private final SimpleVectorStore vectorStore = SimpleVectorStore.builder(this.embeddings).build();

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final VectorStoreSemanticCacheStore store = new VectorStoreSemanticCacheStore(this.vectorStore, 100,
			this.clock);

	@Test
	void whenSearchingThenOnlyThePartitionsLiveEntriesAreCandidatesNearestFirst() {
		put("pa", "a", "How do I reset my password?", Duration.ofHours(1));
		put("pa", "a", "What are your opening hours?", Duration.ofHours(1));
		put("pb", "b", "How can I reset my password?", Duration.ofHours(1));

		List<SemanticCandidate> nearest = this.store
			.nearest(new SemanticQuery("pa", "How can I reset my password?", null), 4);

		assertThat(nearest).extracting(SemanticCandidate::text)
			.containsExactly("How do I reset my password?", "What are your opening hours?");
		assertThat(nearest.get(0).similarity()).isGreaterThan(0.95);
		assertThat(nearest.get(0).response().generations().get(0).text()).isEqualTo("How do I reset my password?");
		assertThat(this.store.nearest(new SemanticQuery("pc", "How can I reset my password?", null), 4)).isEmpty();
	}

	@Test
	void whenAnEntryExpiresByTheInjectedClockThenItIsNoLongerACandidateAndIsDeleted() {
		put("p", "t", "How do I reset my password?", Duration.ofMinutes(1));
		put("p", "t", "What are your opening hours?", Duration.ofMinutes(10));

		this.clock.advance(Duration.ofMinutes(2));

		assertThat(this.store.nearest(new SemanticQuery("p", "How do I reset my password?", null), 4))
			.extracting(SemanticCandidate::text)
			.containsExactly("What are your opening hours?");
		assertThat(this.store.size()).isEqualTo(1);
		assertThat(cacheDocuments()).as("the expired document left the vector store").hasSize(1);
	}

	@Test
	void whenMoreThanMaxEntriesAreStoredThenTheVectorStoreKeepsAtMostThat() {
		VectorStoreSemanticCacheStore small = new VectorStoreSemanticCacheStore(this.vectorStore, 3, this.clock);
		for (int i = 0; i < 8; i++) {
			small
				.put(new SemanticEntry("p", "t", "Question number " + i, null, response("a" + i), Duration.ofHours(1)));
		}

		assertThat(small.size()).isEqualTo(3);
		assertThat(cacheDocuments()).hasSize(3);
		assertThat(small.statistics().snapshot().evictions()).isEqualTo(5);
	}

	@Test
	void whenClearingThenOnlyTheCachesDocumentsGoAndATenantClearKeepsOtherTenants() {
		this.vectorStore.add(List.of(new Document("A RAG document about passwords.")));
		put("pa", "tenant-a", "How do I reset my password?", Duration.ofHours(1));
		put("pb", "tenant-b", "How do I reset my password?", Duration.ofHours(1));

		assertThat(this.store.clearTenant("tenant-a")).isEqualTo(1);
		assertThat(cacheDocuments()).hasSize(1);
		this.store.clear();

		assertThat(cacheDocuments()).isEmpty();
		assertThat(this.vectorStore.similaritySearch(SearchRequest.builder().query("passwords").topK(10).build()))
			.extracting(Document::getText)
			.containsExactly("A RAG document about passwords.");
	}

	@Test
	void whenBehindTheAdvisorThenAParaphraseIsServedAndAnotherTenantsIsNot() {
		try (OpenAiWireServer server = OpenAiWireServer.start()) {
			server.answerEveryRequest(OpenAiCompletion.text("Use the reset link.").usage(20, 12));
			SemanticCacheAdvisor advisor = SemanticCacheAdvisor.builder(this.store, this.embeddings)
				.clock(this.clock)
				.build();
			ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(server)).defaultAdvisors(advisor).build();

			ask(client, "How do I reset my password?", "acme");
			Object sameTenant = ask(client, "How can I reset my password?", "acme");
			Object otherTenant = ask(client, "How can I reset my password?", "globex");

			assertThat(sameTenant).isEqualTo("hit-semantic");
			assertThat(otherTenant).isEqualTo("miss");
			assertThat(server.requestCount()).isEqualTo(2);
		}
	}

	private static Object ask(ChatClient client, String question, String tenant) {
		return client.prompt()
			.user(question)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant))
			.call()
			.chatClientResponse()
			.context()
			.get(ResourceContextKeys.CACHE);
	}

	private void put(String partition, String tenant, String text, Duration ttl) {
		this.store.put(new SemanticEntry(partition, tenant, text, null, response(text), ttl));
	}

	private List<Document> cacheDocuments() {
		return this.vectorStore.similaritySearch(SearchRequest.builder()
			.query("question")
			.topK(100)
			.similarityThresholdAll()
			.filterExpression(
					VectorStoreSemanticCacheStore.CACHE_KEY + " == '" + VectorStoreSemanticCacheStore.CACHE_VALUE + "'")
			.build());
	}

}
