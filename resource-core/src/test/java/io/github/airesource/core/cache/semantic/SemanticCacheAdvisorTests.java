package io.github.airesource.core.cache.semantic;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.testsupport.MiniLmEmbeddingModel;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.UserMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The semantic cache advisor end to end: a real {@link ChatClient} over the real OpenAI
 * client against a loopback server speaking the OpenAI wire format, with the real
 * all-MiniLM-L6-v2 embedding model and the in-memory store.
 */
class SemanticCacheAdvisorTests {

	/** The ledger line of the semantic cache's embedding calls. */
	private static final String EMBEDDING_LINE = UsagePurpose.EMBEDDING.ledgerKey(MiniLmEmbeddingModel.MODEL);

	private static final String ANSWER = "Open Settings, choose Security and press Reset password.";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final MiniLmEmbeddingModel embeddings = new MiniLmEmbeddingModel();

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(100, this.clock);

	private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of(this.ledger, (record, scope) -> this.recorded.add(new Recorded(record, scope))));

	private final InMemorySemanticCacheStore store = new InMemorySemanticCacheStore(1000, this.clock);

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenAParaphraseFollowsThenItIsAnsweredFromTheCacheWithoutAModelCall() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());

		ChatClientResponse first = call(client, "How do I reset my password?", "acme");
		ChatClientResponse second = call(client, "How can I reset my password?", "acme");

		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(first.context().get(ResourceContextKeys.CACHE)).isEqualTo("miss");
		assertThat(second.context().get(ResourceContextKeys.CACHE)).isEqualTo("hit-semantic");
		assertThat(second.chatResponse().getResult().getOutput().getText()).isEqualTo(ANSWER);
		CacheStatistics.Snapshot statistics = this.store.statistics().snapshot();
		assertThat(statistics.hits()).isEqualTo(1);
		assertThat(statistics.misses()).isEqualTo(1);
		assertThat(statistics.stores()).isEqualTo(1);
		assertThat(statistics.savedTokens()).isEqualTo(32);
		assertThat(statistics.similarityCounts()[statistics.similarityCounts().length - 1]
				+ statistics.similarityCounts()[statistics.similarityCounts().length - 2]
				+ statistics.similarityCounts()[statistics.similarityCounts().length - 3]
				+ statistics.similarityCounts()[statistics.similarityCounts().length - 4]
				+ statistics.similarityCounts()[statistics.similarityCounts().length - 5])
			.as("the hit's similarity is counted at 0.95 or above")
			.isEqualTo(1);
	}

	@Test
	void whenNumbersEntitiesOrNegationsAreSwappedThenTheyNeverHit() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());
		String[][] swaps = { { "Where is order 1234?", "Where is order 5678?" },
				{ "Refund invoice INV-2024-001.", "Refund invoice INV-2024-010." },
				{ "Turn on the living room lights.", "Turn off the living room lights." },
				{ "Switch on dark mode.", "Switch off dark mode." },
				{ "Is it safe to drink tap water?", "Is it unsafe to drink tap water?" },
				{ "Can I eat shellfish if I am pregnant?", "Can I not eat shellfish if I am pregnant?" },
				{ "Book a flight from Paris to London.", "Book a flight from London to Paris." },
				{ "What is the exchange rate from USD to EUR?", "What is the exchange rate from EUR to USD?" },
				{ "Is \"colour\" spelled correctly?", "Is \"color\" spelled correctly?" } };

		for (String[] swap : swaps) {
			call(client, swap[0], "acme");
			assertThat(call(client, swap[1], "acme").context().get(ResourceContextKeys.CACHE)).as(swap[1])
				.isEqualTo("miss");
		}

		assertThat(this.server.requestCount()).isEqualTo(2 * swaps.length);
		assertThat(this.store.statistics().snapshot().hits()).isZero();
	}

	@Test
	void whenTenantBSendsTenantAsExactAndParaphrasedPromptsThenZeroHits() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());
		call(client, "How do I reset my password?", "tenant-a");

		ChatClientResponse exact = call(client, "How do I reset my password?", "tenant-b");
		ChatClientResponse paraphrase = call(client, "How can I reset my password?", "tenant-b");

		assertThat(exact.context().get(ResourceContextKeys.CACHE)).isEqualTo("miss");
		assertThat(paraphrase.context().get(ResourceContextKeys.CACHE)).as("tenant B's own exact entry answers it")
			.isEqualTo("hit-semantic");
		assertThat(this.server.requestCount()).isEqualTo(2);
		// Tenant A's entry served nobody in tenant B: the one hit is tenant B's own
		// entry.
		assertThat(this.recorded).filteredOn((r) -> r.record().outcome() == CallOutcome.CACHE_HIT)
			.extracting((r) -> r.scope().tenant())
			.containsExactly("tenant-b");
	}

	@Test
	void whenTenantBSendsOnlyTenantAsParaphraseThenItMissesAndCallsTheModel() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());
		call(client, "How do I reset my password?", "tenant-a");

		ChatClientResponse other = call(client, "How can I reset my password?", "tenant-b");

		assertThat(other.context().get(ResourceContextKeys.CACHE)).isEqualTo("miss");
		assertThat(this.server.requestCount()).isEqualTo(2);
		assertThat(this.store.statistics().snapshot().hits()).isZero();
	}

	@Test
	void whenShadowModeThenWouldBeHitsAreCountedButNothingIsServed() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().shadow(true).build());

		call(client, "How do I reset my password?", "acme");
		ChatClientResponse second = call(client, "How can I reset my password?", "acme");

		assertThat(this.server.requestCount()).isEqualTo(2);
		assertThat(second.context().get(ResourceContextKeys.CACHE)).isEqualTo("miss");
		CacheStatistics.Snapshot statistics = this.store.statistics().snapshot();
		assertThat(statistics.hits()).isZero();
		assertThat(statistics.shadowHits()).isEqualTo(1);
		assertThat(statistics.similarityCounts()).as("the would-be hit's similarity").contains(1L);
		assertThat(this.recorded).noneMatch((r) -> r.record().outcome() == CallOutcome.CACHE_HIT);
	}

	@Test
	void whenTheThresholdParamIsLowerThanConfiguredThenItIsIgnored() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());
		call(client, "How do I track my package?", "acme");

		// cosine 0.75 with all-MiniLM-L6-v2: a 0.5 threshold would serve it
		ChatClientResponse lowered = client.prompt()
			.user("How do I track my parcel?")
			.advisors(
					(a) -> a.param(ResourceContextKeys.TENANT, "acme").param(ResourceContextKeys.CACHE_THRESHOLD, 0.5))
			.call()
			.chatClientResponse();

		assertThat(lowered.context().get(ResourceContextKeys.CACHE)).isEqualTo("miss");
		assertThat(this.server.requestCount()).isEqualTo(2);
	}

	@Test
	void whenTheThresholdParamIsHigherThanConfiguredThenItApplies() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());
		call(client, "How do I reset my password?", "acme");
		double cosine = SemanticPairsTests.cosine(this.embeddings.vector("How do I reset my password?"),
				this.embeddings.vector("How can I reset my password?"));
		assertThat(cosine).as("a hit at the configured threshold").isBetween(0.95, 0.999);

		ChatClientResponse raised = client.prompt()
			.user("How can I reset my password?")
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, "acme")
				.param(ResourceContextKeys.CACHE_THRESHOLD, 0.999))
			.call()
			.chatClientResponse();

		assertThat(raised.context().get(ResourceContextKeys.CACHE)).isEqualTo("miss");
		assertThat(this.server.requestCount()).isEqualTo(2);
	}

	@Test
	void whenAHitIsServedThenTheLedgerCountsItSavedAndTheEmbeddingsOnTheirOwnModelLine() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).model("gpt-4o-mini").usage(20, 12));
		ChatClient client = client(advisor().build());

		call(client, "How do I reset my password?", "acme");
		call(client, "How can I reset my password?", "acme");

		UsageReport report = this.ledger.report(10);
		assertThat(report.models()).containsKeys("gpt-4o-mini", EMBEDDING_LINE);
		var chat = report.models().get("gpt-4o-mini").total();
		assertThat(chat.calls()).as("the model call and the hit").isEqualTo(2);
		assertThat(chat.cacheHits()).isEqualTo(1);
		assertThat(chat.savedTokens()).isEqualTo(32);
		assertThat(chat.promptTokens()).as("spent: the model call only").isEqualTo(20);
		var embedding = report.models().get(EMBEDDING_LINE).total();
		assertThat(embedding.calls()).as("one embedding per lookup").isEqualTo(2);
		assertThat(embedding.promptTokens()).isPositive();
		assertThat(embedding.cacheHits()).isZero();
		assertThat(this.recorded).filteredOn((r) -> r.record().model().equals(MiniLmEmbeddingModel.MODEL))
			.allMatch((r) -> r.record().outcome() == CallOutcome.SUCCESS && r.record().completionTokens() == 0);
	}

	@Test
	void whenTheEmbeddingModelFailsThenTheCallIsAMissCountedAsAFailureNotAnError() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());
		this.embeddings.failing(true);

		ChatClientResponse response = call(client, "How do I reset my password?", "acme");

		assertThat(response.chatResponse().getResult().getOutput().getText()).isEqualTo(ANSWER);
		assertThat(this.store.statistics().snapshot().failures()).isEqualTo(1);
		assertThat(this.store.statistics().snapshot().misses()).isEqualTo(1);
		assertThat(this.store.size()).as("nothing to store the answer under").isZero();
	}

	@Test
	void whenAStreamMissesThenItIsStoredAfterCompletionAndAStreamHitReplaysSeveralChunks() {
		this.server.stream(OpenAiCompletion.text("Open Settings, ", "choose Security ", "and press Reset password.")
			.usage(20, 12));
		ChatClient client = client(advisor().streamChunkChars(8).build());

		List<ChatClientResponse> miss = stream(client, "How do I reset my password?");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.store.size() == 1);
		List<ChatClientResponse> hit = stream(client, "How can I reset my password?");

		assertThat(text(miss)).isEqualTo(ANSWER);
		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(hit).hasSizeGreaterThan(3);
		assertThat(text(hit)).isEqualTo(ANSWER);
		assertThat(hit).allSatisfy(
				(response) -> assertThat(response.context().get(ResourceContextKeys.CACHE)).isEqualTo("hit-semantic"));
		UsageRecord usage = (UsageRecord) hit.get(hit.size() - 1).context().get(ResourceContextKeys.USAGE);
		assertThat(usage.outcome()).isEqualTo(CallOutcome.CACHE_HIT);
		assertThat(usage.promptTokens()).isEqualTo(20);
		assertThat(usage.completionTokens()).isEqualTo(12);
	}

	@Test
	void whenAStreamFailsOrIsCancelledThenNothingIsStored() {
		this.server.stream(OpenAiCompletion.text("Open ", "Settings ", "and more").failAfter(1));
		this.server.stream(OpenAiCompletion.text("Open ", "Settings ", "and more").stallAfter(2));
		ChatClient client = client(advisor().build());

		client.prompt()
			.user("How do I reset my password?")
			.stream()
			.chatClientResponse()
			.onErrorResume((ex) -> reactor.core.publisher.Flux.empty())
			.blockLast(Duration.ofSeconds(10));
		java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
		Disposable cancelled = client.prompt()
			.user("How do I reset my password?")
			.stream()
			.chatClientResponse()
			.subscribe((response) -> first.countDown());
		await().atMost(Duration.ofSeconds(5)).until(() -> first.getCount() == 0);
		cancelled.dispose();

		assertThat(this.store.size()).isZero();
		assertThat(this.store.statistics().snapshot().stores()).isZero();
	}

	@Test
	void whenTheRequestHasHistoryOrIsTooLongThenItPassesThroughUntouched() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().maxPromptTokens(20).build());

		ChatClientResponse history = client.prompt()
			.messages(new UserMessage("Hi"), new AssistantMessage("Hello!"))
			.user("How do I reset my password?")
			.call()
			.chatClientResponse();
		ChatClientResponse tooLong = call(client,
				"How do I reset my password when I no longer have access to the email address or the phone number on my account?",
				"acme");

		assertThat(history.context()).doesNotContainKey(ResourceContextKeys.CACHE);
		assertThat(tooLong.context()).doesNotContainKey(ResourceContextKeys.CACHE);
		assertThat(this.embeddings.calls()).isZero();
		assertThat(this.store.size()).isZero();
	}

	@Test
	void whenTheCallerAsksToBypassThenNoLookupAndNoStore() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().build());

		ChatClientResponse response = client.prompt()
			.user("How do I reset my password?")
			.advisors((a) -> a.param(ResourceContextKeys.CACHE_BYPASS, true))
			.call()
			.chatClientResponse();

		assertThat(response.context().get(ResourceContextKeys.CACHE)).isEqualTo("bypass");
		assertThat(this.embeddings.calls()).isZero();
		assertThat(this.store.statistics().snapshot().bypasses()).isEqualTo(1);
	}

	@Test
	void whenEntriesExpireThenTheyAreNoLongerServed() {
		this.server.answerEveryRequest(OpenAiCompletion.text(ANSWER).usage(20, 12));
		ChatClient client = client(advisor().ttl(Duration.ofMinutes(5)).build());
		call(client, "How do I reset my password?", "acme");

		this.clock.advance(Duration.ofMinutes(6));

		assertThat(call(client, "How can I reset my password?", "acme").context().get(ResourceContextKeys.CACHE))
			.isEqualTo("miss");
		assertThat(this.server.requestCount()).isEqualTo(2);
	}

	private SemanticCacheAdvisor.Builder advisor() {
		return SemanticCacheAdvisor.builder(this.store, this.embeddings)
			.recorder(this.recorder)
			.clock(this.clock)
			.defaultModel(() -> "gpt-4o-mini");
	}

	private ChatClient client(SemanticCacheAdvisor advisor) {
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(advisor, UsageAdvisor.builder(this.recorder).build())
			.build();
	}

	private static ChatClientResponse call(ChatClient client, String question, String tenant) {
		return client.prompt()
			.user(question)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant))
			.call()
			.chatClientResponse();
	}

	private static List<ChatClientResponse> stream(ChatClient client, String question) {
		return client.prompt().user(question).stream().chatClientResponse().collectList().block(Duration.ofSeconds(10));
	}

	private static String text(List<ChatClientResponse> responses) {
		StringBuilder text = new StringBuilder();
		for (ChatClientResponse response : responses) {
			if (response.chatResponse() != null && !response.chatResponse().getResults().isEmpty()
					&& response.chatResponse().getResult().getOutput().getText() != null) {
				text.append(response.chatResponse().getResult().getOutput().getText());
			}
		}
		return text.toString();
	}

	record Recorded(UsageRecord record, CallScope scope) {

	}

}
