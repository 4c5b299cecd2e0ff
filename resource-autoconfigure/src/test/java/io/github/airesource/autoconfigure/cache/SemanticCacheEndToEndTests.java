package io.github.airesource.autoconfigure.cache;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.semantic.SemanticCacheStore;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.testsupport.MiniLmEmbeddingModel;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantic cache as an application gets it from the starter: the auto-configured
 * {@link ChatClient.Builder}, the real OpenAI client over HTTP to a loopback server, and
 * the real all-MiniLM-L6-v2 embedding model as the application's {@link EmbeddingModel}.
 */
class SemanticCacheEndToEndTests {

	/** The ledger line of the semantic cache's embedding calls. */
	private static final String EMBEDDING_LINE = UsagePurpose.EMBEDDING.ledgerKey(MiniLmEmbeddingModel.MODEL);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withBean(EmbeddingModel.class, MiniLmEmbeddingModel::new)
		.withPropertyValues("ai.resource.cache.semantic.enabled=true");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenTenantBSendsTenantAsParaphrasedAndExactPromptsThenZeroHitsFromTenantA() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Use the reset link on the sign-in page.").usage(20, 12));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			assertThat(ask(client, "How do I reset my password?", "tenant-a")).isEqualTo("miss");
			assertThat(ask(client, "How can I reset my password?", "tenant-a")).as("tenant A's own paraphrase")
				.isEqualTo("hit-semantic");

			assertThat(ask(client, "How can I reset my password?", "tenant-b")).isEqualTo("miss");

			assertThat(this.server.requestCount()).isEqualTo(2);
			assertThat(context.getBean(SemanticCacheStore.class).statistics().snapshot().hits()).isEqualTo(1);
		});
	}

	@Test
	void whenAHitIsServedThenTheEmbeddingsAppearInTheLedgerAsTheirOwnModel() {
		this.server.answerEveryRequest(
				OpenAiCompletion.text("Use the reset link on the sign-in page.").model("gpt-4o-mini").usage(20, 12));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			ask(client, "How do I reset my password?", "acme");
			ask(client, "How can I reset my password?", "acme");

			UsageReport report = context.getBean(UsageLedger.class).report(10);
			assertThat(report.models().get(EMBEDDING_LINE).total().calls()).isEqualTo(2);
			assertThat(report.models().get("gpt-4o-mini").total().cacheHits()).isEqualTo(1);
			assertThat(report.models().get("gpt-4o-mini").total().savedTokens()).isEqualTo(32);
		});
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

}
