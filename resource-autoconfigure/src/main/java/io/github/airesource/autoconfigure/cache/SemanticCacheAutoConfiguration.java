package io.github.airesource.autoconfigure.cache;

import java.time.Clock;

import io.github.airesource.autoconfigure.ChatModels;
import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.cache.semantic.InMemorySemanticCacheStore;
import io.github.airesource.core.cache.semantic.SemanticCacheAdvisor;
import io.github.airesource.core.cache.semantic.SemanticCacheStore;
import io.github.airesource.core.cache.semantic.VectorStoreSemanticCacheStore;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageRecorder;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The semantic cache ({@code ai.resource.cache.semantic.enabled=true}): the
 * {@link SemanticCacheAdvisor}, which embeds requests with the application's
 * {@link EmbeddingModel}, and its {@link SemanticCacheStore} (the {@code semantic}
 * {@code ManagedCache} of the {@code aicaches} endpoint): in memory, or in the
 * application's Spring AI {@link VectorStore} with {@code store: vector-store}.
 *
 * <p>
 * Enabling it without an {@code EmbeddingModel} bean, or choosing {@code vector-store}
 * without a {@code VectorStore} bean, fails at startup with a message that says so.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, UsageAutoConfiguration.class },
		afterName = { "org.springframework.ai.model.openai.autoconfigure.OpenAiEmbeddingAutoConfiguration",
				"org.springframework.ai.vectorstore.pgvector.autoconfigure.PgVectorStoreAutoConfiguration",
				"org.springframework.ai.vectorstore.redis.autoconfigure.RedisVectorStoreAutoConfiguration" })
@ConditionalOnClass({ ChatClient.class, SemanticCacheAdvisor.class, EmbeddingModel.class })
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = SemanticCacheAutoConfiguration.ENABLED)
@EnableConfigurationProperties(CacheProperties.class)
public class SemanticCacheAutoConfiguration {

	static final String ENABLED = CacheProperties.PREFIX + ".semantic.enabled";

	static final String STORE = CacheProperties.PREFIX + ".semantic.store";

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = STORE, havingValue = "memory", matchIfMissing = true)
	SemanticCacheStore resourceSemanticCacheStore(CacheProperties properties) {
		return new InMemorySemanticCacheStore(properties.getSemantic().getMaxEntries(), Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	SemanticCacheAdvisor resourceSemanticCacheAdvisor(CacheProperties properties,
			ObjectProvider<SemanticCacheStore> store, ObjectProvider<EmbeddingModel> embeddingModel,
			TokenCounter tokenCounter, ScopeResolution scopeResolution, ObjectProvider<UsageRecorder> recorder,
			ObjectProvider<ChatModel> chatModel) {
		CacheProperties.Semantic semantic = properties.getSemantic();
		EmbeddingModel embeddings = embeddingModel.getIfUnique();
		if (embeddings == null) {
			boolean several = embeddingModel.stream().findAny().isPresent();
			throw new InvalidResourcePropertyException(ENABLED, true,
					several ? "the semantic cache embeds requests with the application's EmbeddingModel, "
							+ "and there are several EmbeddingModel beans and none is @Primary"
							: "the semantic cache embeds requests with the application's EmbeddingModel, "
									+ "and there is no EmbeddingModel bean",
					several ? "Mark the EmbeddingModel the semantic cache should use @Primary, or set " + ENABLED
							+ "=false."
							: "Add an embedding model, for example spring-ai-starter-model-openai with "
									+ "spring.ai.model.embedding=openai, or spring-ai-starter-model-transformers "
									+ "for a local all-MiniLM-L6-v2; or set " + ENABLED + "=false.");
		}
		SemanticCacheStore cacheStore = store.getIfUnique();
		if (cacheStore == null) {
			throw new InvalidResourcePropertyException(STORE, "vector-store",
					"the vector-store store needs Spring AI's spring-ai-vector-store on the classpath",
					"Add a Spring AI vector store starter (which brings spring-ai-vector-store and a VectorStore "
							+ "bean), or set " + STORE + "=memory.");
		}
		return SemanticCacheAdvisor.builder(cacheStore, embeddings)
			.similarityThreshold(semantic.getSimilarityThreshold())
			.ttl(semantic.getTtl())
			.maxPromptTokens(semantic.getMaxPromptTokens())
			.shadow(semantic.isShadow())
			.perUser(properties.isPerUser())
			.streamChunkChars(properties.getResponse().getStreamChunkChars())
			.embeddingModelName(semantic.getEmbeddingModelName())
			.tokenCounter(tokenCounter)
			.scopeResolution(scopeResolution)
			.recorder(recorder.getIfAvailable())
			.defaultModel(ChatModels.defaultModelOf(chatModel))
			.order(semantic.getOrder())
			.build();
	}

	/**
	 * Keeps the semantic cache in the application's Spring AI {@code VectorStore}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.ai.vectorstore.VectorStore")
	@ConditionalOnProperty(name = STORE, havingValue = "vector-store")
	static class VectorStoreSemanticCacheConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SemanticCacheStore resourceSemanticCacheStore(CacheProperties properties,
				ObjectProvider<VectorStore> vectorStore) {
			VectorStore store = vectorStore.getIfUnique();
			if (store == null) {
				throw new InvalidResourcePropertyException(STORE, "vector-store",
						"there is no single VectorStore bean to keep the semantic cache in",
						"Add a Spring AI vector store starter (or a VectorStore bean, marked @Primary when there "
								+ "are several), or set " + STORE + "=memory.");
			}
			return new VectorStoreSemanticCacheStore(store, properties.getSemantic().getMaxEntries(),
					Clock.systemUTC());
		}

	}

}
