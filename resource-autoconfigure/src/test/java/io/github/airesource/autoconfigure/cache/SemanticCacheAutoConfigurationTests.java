package io.github.airesource.autoconfigure.cache;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.cache.semantic.InMemorySemanticCacheStore;
import io.github.airesource.core.cache.semantic.SemanticCacheAdvisor;
import io.github.airesource.core.cache.semantic.SemanticCacheStore;
import io.github.airesource.core.cache.semantic.VectorStoreSemanticCacheStore;
import io.github.airesource.testsupport.MiniLmEmbeddingModel;
import org.junit.jupiter.api.Test;

import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantic cache's auto-configuration: off by default, the memory or vector-store
 * store, backing off for user beans, and the startup failures that say what is missing.
 */
class SemanticCacheAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ResourceAutoConfigurations.resource());

	private final ApplicationContextRunner withEmbeddings = this.runner.withBean(EmbeddingModel.class,
			MiniLmEmbeddingModel::new);

	@Test
	void whenNotEnabledThenNoAdvisorAndNoStore() {
		this.withEmbeddings.run((context) -> {
			assertThat(context).doesNotHaveBean(SemanticCacheAdvisor.class);
			assertThat(context).doesNotHaveBean(SemanticCacheStore.class);
		});
	}

	@Test
	void whenEnabledThenTheAdvisorUsesTheMemoryStoreAndTheProperties() {
		this.withEmbeddings
			.withPropertyValues("ai.resource.cache.semantic.enabled=true",
					"ai.resource.cache.semantic.similarity-threshold=0.97", "ai.resource.cache.semantic.shadow=true",
					"ai.resource.cache.semantic.order=10460")
			.run((context) -> {
				SemanticCacheAdvisor advisor = context.getBean(SemanticCacheAdvisor.class);
				assertThat(advisor.similarityThreshold()).isEqualTo(0.97);
				assertThat(advisor.shadow()).isTrue();
				assertThat(advisor.getOrder()).isEqualTo(10460);
				assertThat(advisor.store()).isInstanceOf(InMemorySemanticCacheStore.class);
				assertThat(context.getBeansOfType(ManagedCache.class).values()).extracting(ManagedCache::name)
					.containsExactly("semantic");
				assertThat(context.getBean(ResourceAdvisors.class).asList()).contains(advisor);
			});
	}

	@Test
	void whenEnabledWithoutAnEmbeddingModelThenStartupFailsSayingSo() {
		this.runner.withPropertyValues("ai.resource.cache.semantic.enabled=true").run((context) -> {
			assertThat(context).hasFailed();
			InvalidResourcePropertyException failure = rootCause(context.getStartupFailure());
			assertThat(failure.getProperty()).isEqualTo("ai.resource.cache.semantic.enabled");
			assertThat(failure.getReason()).contains("there is no EmbeddingModel bean");
			assertThat(failure.getAction()).contains("ai.resource.cache.semantic.enabled=false");
		});
	}

	@Test
	void whenTheVectorStoreStoreIsChosenWithoutAVectorStoreThenStartupFailsSayingSo() {
		this.withEmbeddings
			.withPropertyValues("ai.resource.cache.semantic.enabled=true",
					"ai.resource.cache.semantic.store=vector-store")
			.run((context) -> {
				assertThat(context).hasFailed();
				InvalidResourcePropertyException failure = rootCause(context.getStartupFailure());
				assertThat(failure.getProperty()).isEqualTo("ai.resource.cache.semantic.store");
				assertThat(failure.getReason()).contains("no single VectorStore bean");
			});
	}

	@Test
	void whenTheVectorStoreStoreIsChosenWithoutSpringAiVectorStoreThenStartupFailsSayingSo() {
		this.withEmbeddings.withClassLoader(new FilteredClassLoader(VectorStore.class))
			.withPropertyValues("ai.resource.cache.semantic.enabled=true",
					"ai.resource.cache.semantic.store=vector-store")
			.run((context) -> {
				assertThat(context).hasFailed();
				InvalidResourcePropertyException failure = rootCause(context.getStartupFailure());
				assertThat(failure.getReason()).contains("spring-ai-vector-store");
			});
	}

	@Test
	void whenAVectorStoreExistsThenTheVectorStoreStoreKeepsTheEntries() {
		this.withEmbeddings
			.withBean(VectorStore.class, () -> SimpleVectorStore.builder(new MiniLmEmbeddingModel()).build())
			.withPropertyValues("ai.resource.cache.semantic.enabled=true",
					"ai.resource.cache.semantic.store=vector-store")
			.run((context) -> assertThat(context.getBean(SemanticCacheAdvisor.class).store())
				.isInstanceOf(VectorStoreSemanticCacheStore.class));
	}

	@Test
	void whenTheUserDefinesAStoreThenTheAutoConfiguredOneBacksOff() {
		InMemorySemanticCacheStore own = new InMemorySemanticCacheStore(5, java.time.Clock.systemUTC());
		this.withEmbeddings.withBean(SemanticCacheStore.class, () -> own)
			.withPropertyValues("ai.resource.cache.semantic.enabled=true")
			.run((context) -> assertThat(context.getBean(SemanticCacheAdvisor.class).store()).isSameAs(own));
	}

	@Test
	void whenResourceManagementIsOffThenNoSemanticCache() {
		this.withEmbeddings.withPropertyValues("ai.resource.enabled=false", "ai.resource.cache.semantic.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean(SemanticCacheAdvisor.class));
	}

	private static InvalidResourcePropertyException rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause != null && !(cause instanceof InvalidResourcePropertyException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("an InvalidResourcePropertyException in %s", failure).isNotNull();
		return (InvalidResourcePropertyException) cause;
	}

}
