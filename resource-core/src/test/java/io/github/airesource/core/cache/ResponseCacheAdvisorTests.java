package io.github.airesource.core.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestTools;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.openai.OpenAiChatOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The response cache through a real {@link ChatClient} and the real OpenAI client against
 * a loopback server: what is served from the cache, what never is, streams, single-flight
 * and the per-call controls. The cache advisor runs alone or with the usage advisor only:
 * it needs neither budgets nor limits.
 */
class ResponseCacheAdvisorTests {

	private static final String QUESTION = "Capital of France?";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.of((record, scope) -> this.recorded.add(new Recorded(record, scope))));

	private final FakeTicker ticker = new FakeTicker();

	private final InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(1000, 64L << 20, this.ticker);

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenTheSameRequestIsRepeatedThenTheModelIsCalledOnceAndTheHitIsRecordedWithTheTokensItSaved() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		ChatClient client = client(advisor((b) -> {
		}), usageAdvisor());

		ChatClientResponse first = ask(client, "acme");
		ChatClientResponse second = ask(client, "acme");

		assertThat(first.chatResponse().getResult().getOutput().getText()).isEqualTo("Paris.");
		assertThat(second.chatResponse().getResult().getOutput().getText()).isEqualTo("Paris.");
		assertThat(first.context()).containsEntry(ResourceContextKeys.CACHE, "miss");
		assertThat(second.context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
		assertThat(second.chatResponse().getMetadata().getUsage().getPromptTokens()).as("the original usage")
			.isEqualTo(20);
		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(this.recorded).extracting((r) -> r.record().outcome())
			.containsExactly(CallOutcome.SUCCESS, CallOutcome.CACHE_HIT);
		UsageRecord hit = this.recorded.get(1).record();
		assertThat(hit.promptTokens()).isEqualTo(20);
		assertThat(hit.completionTokens()).isEqualTo(5);
		assertThat(hit.cost()).isPositive();
		assertThat(this.recorded.get(1).scope().tenant()).isEqualTo("acme");
		CacheStatistics.Snapshot statistics = this.store.statistics().snapshot();
		assertThat(statistics.hits()).isEqualTo(1);
		assertThat(statistics.misses()).isEqualTo(1);
		assertThat(statistics.stores()).isEqualTo(1);
		assertThat(statistics.savedTokens()).isEqualTo(25);
	}

	@Test
	void whenTenantBSendsTenantAsExactPromptThenItNeverGetsTenantAsAnswer() {
		this.server.answerEveryRequest((body) -> OpenAiCompletion.text("Answer " + this.server.requestCount()));
		ChatClient client = client(advisor((b) -> {
		}));

		String acme = text(ask(client, "acme"));
		String globex = text(ask(client, "globex"));
		String anonymous = client.prompt().user(QUESTION).call().content();

		assertThat(List.of(acme, globex, anonymous)).doesNotHaveDuplicates();
		assertThat(this.server.requestCount()).isEqualTo(3);
		assertThat(this.store.statistics().snapshot().hits()).isZero();
		assertThat(text(ask(client, "globex"))).isEqualTo(globex);
		assertThat(this.store.statistics().snapshot().hits()).isOne();
	}

	@Test
	void whenPerUserThenUsersOfOneTenantDoNotShareAndOtherwiseTheyDo() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris."));
		ChatClient shared = client(advisor((b) -> {
		}));
		ChatClient perUser = client(advisor((b) -> b.perUser(true)));

		askAs(shared, "acme", "alice");
		assertThat(askAs(shared, "acme", "bob").context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
		askAs(perUser, "acme", "alice");
		assertThat(askAs(perUser, "acme", "bob").context()).containsEntry(ResourceContextKeys.CACHE, "miss");
		assertThat(askAs(perUser, "acme", "alice").context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
		assertThat(this.server.requestCount()).isEqualTo(3);
	}

	@Test
	void whenTheTemperatureIsUnsetOrAboveTheMaximumThenTheCallBypassesTheCache() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris."));
		ChatClient unset = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(advisor((b) -> b.maxTemperature(0.5)))
			.build();
		ChatClient warm = client(OpenAiChatOptions.builder().model("gpt-4o-mini").temperature(0.7).build(),
				advisor((b) -> b.maxTemperature(0.5)));
		ChatClient cool = client(OpenAiChatOptions.builder().model("gpt-4o-mini").temperature(0.5).build(),
				advisor((b) -> b.maxTemperature(0.5)));

		for (ChatClient client : List.of(unset, warm)) {
			assertThat(ask(client, "acme").context()).containsEntry(ResourceContextKeys.CACHE, "bypass");
			assertThat(ask(client, "acme").context()).containsEntry(ResourceContextKeys.CACHE, "bypass");
		}
		ask(cool, "acme");
		assertThat(ask(cool, "acme").context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
		assertThat(this.server.requestCount()).isEqualTo(5);
		assertThat(this.store.statistics().snapshot().bypasses()).isEqualTo(4);
	}

	@Test
	void whenTheModelFailsThenNothingIsCachedAndTheNextCallReachesTheModel() {
		this.server.fail(500, "boom").reply(OpenAiCompletion.text("Paris.")).reply(OpenAiCompletion.text("Lyon."));
		ChatClient client = client(advisor((b) -> {
		}));

		assertThatThrownBy(() -> ask(client, "acme")).isInstanceOf(RuntimeException.class);
		assertThat(text(ask(client, "acme"))).isEqualTo("Paris.");
		assertThat(text(ask(client, "acme"))).isEqualTo("Paris.");
		assertThat(this.server.requestCount()).isEqualTo(2);
	}

	@Test
	void whenAnAnswerIsCutByLengthOrFilteredOrEmptyThenItIsNotCached() {
		this.server.reply(OpenAiCompletion.text("Paris is the").finishReason("length"))
			.reply(OpenAiCompletion.text("Pa").finishReason("content_filter"))
			.reply(OpenAiCompletion.text(""))
			.reply(OpenAiCompletion.text("Paris."))
			.reply(OpenAiCompletion.text("Lyon."));
		ChatClient client = client(advisor((b) -> {
		}));

		assertThat(text(ask(client, "acme"))).isEqualTo("Paris is the");
		assertThat(text(ask(client, "acme"))).isEqualTo("Pa");
		ask(client, "acme");
		assertThat(text(ask(client, "acme"))).isEqualTo("Paris.");
		assertThat(text(ask(client, "acme"))).isEqualTo("Paris.");
		assertThat(this.server.requestCount()).isEqualTo(4);
	}

	@Test
	void whenTheAnswerIsAToolCallForTheCallerToExecuteThenItIsNotCached() {
		this.server.reply(OpenAiCompletion.toolCall("call-1", "get_current_weather", "{\"location\":\"Paris\"}"))
			.reply(OpenAiCompletion.toolCall("call-2", "get_current_weather", "{\"location\":\"Paris\"}"));
		ChatClient client = client(OpenAiChatOptions.builder()
			.model("gpt-4o-mini")
			.temperature(0.0)
			.toolCallbacks(TestTools.weather())
			.internalToolExecutionEnabled(false)
			.build(), advisor((b) -> {
			}));

		assertThat(ask(client, "acme").chatResponse().hasToolCalls()).isTrue();
		assertThat(ask(client, "acme").chatResponse().hasToolCalls()).isTrue();
		assertThat(this.server.requestCount()).isEqualTo(2);
		assertThat(this.store.size()).isZero();
	}

	@Test
	void whenAStreamIsCancelledOrFailsMidwayThenItIsNotCachedAndTheNextCallReachesTheModel() {
		this.server.stream(OpenAiCompletion.text("Par", "is", ".").stallAfter(1))
			.stream(OpenAiCompletion.text("Par", "is", ".").failAfter(1))
			.stream(OpenAiCompletion.text("Par", "is", "."));
		ChatClient client = client(advisor((b) -> {
		}));

		assertThat(stream(client, "acme").take(1).blockLast(Duration.ofSeconds(10))).isNotNull();
		List<String> failed = new ArrayList<>();
		stream(client, "acme").map(ResponseCacheAdvisorTests::text)
			.onErrorResume((ex) -> Flux.empty())
			.doOnNext(failed::add)
			.blockLast(Duration.ofSeconds(10));
		assertThat(String.join("", failed)).isNotEqualTo("Paris.");
		assertThat(streamText(client, "acme")).isEqualTo("Paris.");
		assertThat(this.server.requestCount()).isEqualTo(3);
		assertThat(this.store.statistics().snapshot().stores()).isOne();
	}

	@Test
	void whenAStreamMissCompletesThenItWasPassedThroughAsItCameAndAHitIsReplayedAsSeveralChunksWithTheOriginalUsage() {
		String answer = "Paris is the capital and the largest city of France, on the Seine.";
		this.server
			.stream(OpenAiCompletion.text("Paris is the capital ", "and the largest city of France, ", "on the Seine.")
				.usage(30, 15));
		ChatClient client = client(advisor((b) -> b.streamChunkChars(10)), usageAdvisor());

		List<ChatClientResponse> miss = stream(client, "acme").collectList().block(Duration.ofSeconds(10));
		List<ChatClientResponse> hit = stream(client, "acme").collectList().block(Duration.ofSeconds(10));
		String blocking = text(ask(client, "acme"));

		assertThat(miss).extracting(ResponseCacheAdvisorTests::text)
			.as("the model's own chunks")
			.contains("Paris is the capital ", "and the largest city of France, ");
		assertThat(miss).allSatisfy((r) -> assertThat(r.context()).containsEntry(ResourceContextKeys.CACHE, "miss"));
		assertThat(hit).hasSizeGreaterThan(3);
		assertThat(hit)
			.allSatisfy((r) -> assertThat(r.context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact"));
		assertThat(hit.stream().map(ResponseCacheAdvisorTests::text).reduce("", String::concat)).isEqualTo(answer);
		ChatResponse last = hit.get(hit.size() - 1).chatResponse();
		assertThat(last.getMetadata().getUsage().getPromptTokens()).isEqualTo(30);
		assertThat(last.getMetadata().getUsage().getCompletionTokens()).isEqualTo(15);
		assertThat(last.getResult().getMetadata().getFinishReason()).isEqualToIgnoringCase("stop");
		assertThat(blocking).as("a stream and a call share the entry").isEqualTo(answer);
		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(this.recorded).extracting((r) -> r.record().outcome())
			.containsExactly(CallOutcome.SUCCESS, CallOutcome.CACHE_HIT, CallOutcome.CACHE_HIT);
		assertThat(this.recorded.get(1).record().promptTokens()).isEqualTo(30);
	}

	@Test
	void whenAHundredIdenticalMissesRunAtOnceThenTheModelIsCalledOnceAndEveryCallerGetsItsAnswer() throws Exception {
		CountDownLatch gate = new CountDownLatch(1);
		this.server.answerEveryRequestWhenOpen(OpenAiCompletion.text("Paris.").usage(20, 5), gate);
		ChatClient client = client(advisor((b) -> {
		}));
		int callers = 100;
		List<Thread> threads = new ArrayList<>();
		List<String> answers = new CopyOnWriteArrayList<>();
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		for (int i = 0; i < callers; i++) {
			Thread thread = new Thread(() -> {
				try {
					answers.add(text(ask(client, "acme")));
				}
				catch (Throwable ex) {
					errors.add(ex);
				}
			});
			threads.add(thread);
			thread.start();
		}
		// The leader's request is held by the server; everyone else waits for it.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.server.requestsInProgress() == 1 && waitingForTheLeader(threads) == callers - 1);
		gate.countDown();
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
		}

		assertThat(errors).isEmpty();
		assertThat(answers).hasSize(callers).containsOnly("Paris.");
		assertThat(this.server.requestCount()).isEqualTo(1);
		assertThat(this.store.statistics().snapshot().misses()).isOne();
		assertThat(this.store.statistics().snapshot().hits()).isEqualTo(callers - 1);
		assertThat(this.recorded).filteredOn((r) -> r.record().outcome() == CallOutcome.CACHE_HIT).hasSize(callers - 1);
	}

	@Test
	void whenAMissHasNoIdenticalCallInFlightThenTheStoreIsReadOnceAndWrittenOnce() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		CountingStore counting = new CountingStore(this.store, null);
		ChatClient client = client(ResponseCacheAdvisor.builder(counting).build());

		assertThat(text(ask(client, "acme"))).isEqualTo("Paris.");
		assertThat(counting.gets.get()).as("lookups of a call that missed").isOne();
		assertThat(counting.puts.get()).isOne();
		assertThat(streamText(client, "globex")).isEqualTo("Paris.");
		assertThat(counting.gets.get()).as("lookups after a stream that missed too").isEqualTo(2);
		assertThat(counting.puts.get()).isEqualTo(2);
	}

	@Test
	void whenAnIdenticalCallStoredItsAnswerAfterTheLookupThenTheNewLeaderLooksAgainAndIsServedIt() throws Exception {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		CountDownLatch looked = new CountDownLatch(1);
		CountDownLatch stored = new CountDownLatch(1);
		CountingStore counting = new CountingStore(this.store, () -> {
			// The first caller's lookup missed; hold it until the other caller's flight
			// has ended with the answer stored.
			looked.countDown();
			awaitLatch(stored);
		});
		ChatClient client = client(ResponseCacheAdvisor.builder(counting).build());
		List<ChatClientResponse> first = new CopyOnWriteArrayList<>();
		Thread late = new Thread(() -> first.add(ask(client, "acme")));
		late.start();
		assertThat(looked.await(10, TimeUnit.SECONDS)).isTrue();

		ChatClientResponse second = ask(client, "acme");
		stored.countDown();
		late.join(TimeUnit.SECONDS.toMillis(10));

		assertThat(second.context()).containsEntry(ResourceContextKeys.CACHE, CacheResult.MISS.value());
		assertThat(first).singleElement()
			.satisfies((response) -> assertThat(response.context()).containsEntry(ResourceContextKeys.CACHE,
					CacheResult.HIT_EXACT.value()));
		assertThat(this.server.requestCount()).isOne();
		assertThat(counting.gets.get()).as("the late caller's two lookups and the other's one").isEqualTo(3);
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void whenTheLoadOfIdenticalMissesFailsThenEveryWaiterGetsTheErrorAndNothingIsCached() throws Exception {
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger calls = new AtomicInteger();
		ChatModel failing = new ChatModel() {
			@Override
			public ChatResponse call(org.springframework.ai.chat.prompt.Prompt prompt) {
				calls.incrementAndGet();
				entered.countDown();
				try {
					release.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				throw new IllegalStateException("model down");
			}

			@Override
			public ChatOptions getDefaultOptions() {
				return ChatOptions.builder().model("gpt-4o-mini").temperature(0.0).build();
			}
		};
		ChatClient client = ChatClient.builder(failing).defaultAdvisors(advisor((b) -> {
		})).build();
		int callers = 10;
		List<Thread> threads = new ArrayList<>();
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		for (int i = 0; i < callers; i++) {
			Thread thread = new Thread(() -> {
				try {
					ask(client, "acme");
				}
				catch (Throwable ex) {
					errors.add(ex);
				}
			});
			threads.add(thread);
			thread.start();
		}
		assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(30)).until(() -> waitingForTheLeader(threads) == callers - 1);
		release.countDown();
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
		}

		assertThat(errors).hasSize(callers)
			.allSatisfy((ex) -> assertThat(ex).isInstanceOf(IllegalStateException.class).hasMessage("model down"));
		assertThat(calls).hasValue(1);
		assertThat(this.store.size()).isZero();
		assertThat(this.recorded).isEmpty();
	}

	@Test
	void whenAStreamAndCallsAskTheSameAtOnceThenTheStreamLeadsAndTheCallsAreServedItsAnswer() throws Exception {
		CountDownLatch gate = new CountDownLatch(1);
		this.server.answerEveryRequestWhenOpen(OpenAiCompletion.text("Par", "is."), gate);
		ChatClient client = client(advisor((b) -> {
		}));
		List<String> streamed = new CopyOnWriteArrayList<>();
		CountDownLatch streamDone = new CountDownLatch(1);
		stream(client, "acme").map(ResponseCacheAdvisorTests::text)
			.doOnNext(streamed::add)
			.doFinally((signal) -> streamDone.countDown())
			.subscribe();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.server.requestsInProgress() == 1);
		List<String> answers = new CopyOnWriteArrayList<>();
		List<Thread> callers = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Thread thread = new Thread(() -> answers.add(text(ask(client, "acme"))));
			callers.add(thread);
			thread.start();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> waitingForTheLeader(callers) == callers.size());
		gate.countDown();
		for (Thread thread : callers) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
		}
		assertThat(streamDone.await(30, TimeUnit.SECONDS)).isTrue();

		assertThat(String.join("", streamed)).isEqualTo("Paris.");
		assertThat(answers).containsExactly("Paris.", "Paris.", "Paris.");
		assertThat(this.server.requestCount()).isEqualTo(1);
	}

	@Test
	void whenACallerAsksToBypassThenNothingIsReadOrStored() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris."));
		ChatClient client = client(advisor((b) -> {
		}));

		for (int i = 0; i < 2; i++) {
			ChatClientResponse response = client.prompt()
				.user(QUESTION)
				.advisors((a) -> a.param(ResourceContextKeys.CACHE_BYPASS, true))
				.call()
				.chatClientResponse();
			assertThat(response.context()).containsEntry(ResourceContextKeys.CACHE, "bypass");
		}
		assertThat(this.server.requestCount()).isEqualTo(2);
		assertThat(this.store.size()).isZero();
	}

	@Test
	void whenACallerAsksToRefreshThenTheModelIsCalledAndItsAnswerReplacesTheEntry() {
		this.server.reply(OpenAiCompletion.text("Paris.")).reply(OpenAiCompletion.text("Paris, France."));
		ChatClient client = client(advisor((b) -> {
		}));

		ask(client, "acme");
		ChatClientResponse refreshed = client.prompt()
			.user(QUESTION)
			.advisors(
					(a) -> a.param(ResourceContextKeys.TENANT, "acme").param(ResourceContextKeys.CACHE_REFRESH, "true"))
			.call()
			.chatClientResponse();

		assertThat(text(refreshed)).isEqualTo("Paris, France.");
		assertThat(refreshed.context()).containsEntry(ResourceContextKeys.CACHE, "miss");
		assertThat(text(ask(client, "acme"))).isEqualTo("Paris, France.");
		assertThat(this.server.requestCount()).isEqualTo(2);
	}

	@Test
	void whenACallSetsItsOwnTtlOrNamespaceThenTheEntryExpiresThenOrIsKeptApart() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris."));
		ChatClient client = client(advisor((b) -> b.ttl(Duration.ofHours(1))));
		Consumer<ChatClient.AdvisorSpec> shortLived = (a) -> a.param(ResourceContextKeys.TENANT, "acme")
			.param(ResourceContextKeys.CACHE_TTL, "10m");
		Consumer<ChatClient.AdvisorSpec> faq = (a) -> a.param(ResourceContextKeys.TENANT, "acme")
			.param(ResourceContextKeys.CACHE_NAMESPACE, "faq");

		client.prompt().user(QUESTION).advisors(shortLived).call().content();
		client.prompt().user(QUESTION).advisors(faq).call().content();
		assertThat(this.server.requestCount()).as("namespaces do not share").isEqualTo(2);
		this.ticker.advance(Duration.ofMinutes(11));
		client.prompt().user(QUESTION).advisors(shortLived).call().content();
		client.prompt().user(QUESTION).advisors(faq).call().content();

		assertThat(this.server.requestCount()).as("only the 10-minute entry expired").isEqualTo(3);
	}

	@Test
	void whenACallerPassesABadControlThenTheCallIsRefusedNamingTheParam() {
		ChatClient client = client(advisor((b) -> {
		}));

		assertThatThrownBy(() -> client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.CACHE_TTL, "soon"))
			.call()
			.content()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ai.resource.cache.ttl");
		assertThat(this.server.requestCount()).isZero();
	}

	@Test
	void whenTheStoreFailsThenTheCallIsAMissAndSucceedsAndTheFailureIsCounted() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris."));
		ResponseCacheStore broken = new BrokenStore();
		ChatClient client = client(ResponseCacheAdvisor.builder(broken).build());

		assertThat(text(ask(client, "acme"))).isEqualTo("Paris.");
		assertThat(streamText(client, "acme")).isEqualTo("Paris.");
		assertThat(this.server.requestCount()).isEqualTo(2);
		assertThat(broken.statistics().snapshot().failures()).isPositive();
	}

	/**
	 * Count the threads parked in a single-flight wait: from their stacks, since the
	 * leader may be parked too, waiting for its HTTP response.
	 */
	private static long waitingForTheLeader(List<Thread> threads) {
		return threads.stream()
			.filter((thread) -> thread.getState() == Thread.State.WAITING)
			.filter((thread) -> List.of(thread.getStackTrace())
				.stream()
				.anyMatch((frame) -> frame.getClassName().equals(SingleFlight.Flight.class.getName())
						&& frame.getMethodName().equals("await")))
			.count();
	}

	private ResponseCacheAdvisor advisor(Consumer<ResponseCacheAdvisor.Builder> customizer) {
		ResponseCacheAdvisor.Builder builder = ResponseCacheAdvisor.builder(this.store).recorder(this.recorder);
		customizer.accept(builder);
		return builder.build();
	}

	private UsageAdvisor usageAdvisor() {
		return UsageAdvisor.builder(this.recorder).build();
	}

	private ChatClient client(Advisor... advisors) {
		return client(OpenAiChatOptions.builder().model("gpt-4o-mini").temperature(0.0).build(), advisors);
	}

	private ChatClient client(OpenAiChatOptions options, Advisor... advisors) {
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultOptions(options)
			.defaultAdvisors(advisors)
			.build();
	}

	private static ChatClientResponse ask(ChatClient client, String tenant) {
		return client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant))
			.call()
			.chatClientResponse();
	}

	private static ChatClientResponse askAs(ChatClient client, String tenant, String user) {
		return client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant).param(ResourceContextKeys.USER, user))
			.call()
			.chatClientResponse();
	}

	private static Flux<ChatClientResponse> stream(ChatClient client, String tenant) {
		return client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant))
			.stream()
			.chatClientResponse();
	}

	private static String streamText(ChatClient client, String tenant) {
		return String.join("",
				stream(client, tenant).map(ResponseCacheAdvisorTests::text)
					.collectList()
					.block(Duration.ofSeconds(10)));
	}

	private static String text(ChatClientResponse response) {
		ChatResponse chatResponse = response.chatResponse();
		if (chatResponse == null || chatResponse.getResult() == null
				|| chatResponse.getResult().getOutput().getText() == null) {
			return "";
		}
		return chatResponse.getResult().getOutput().getText();
	}

	private record Recorded(UsageRecord record, CallScope scope) {
	}

	private static final class FakeTicker implements Ticker {

		private final AtomicLong nanos = new AtomicLong();

		@Override
		public long read() {
			return this.nanos.get();
		}

		void advance(Duration duration) {
			this.nanos.addAndGet(duration.toNanos());
		}

	}

	/**
	 * Counts the lookups and writes of a store; the first lookup that misses runs a hook
	 * before it returns.
	 */
	private static final class CountingStore implements ResponseCacheStore {

		private final ResponseCacheStore store;

		private final AtomicInteger gets = new AtomicInteger();

		private final AtomicInteger puts = new AtomicInteger();

		private Runnable onFirstMiss;

		CountingStore(ResponseCacheStore store, Runnable onFirstMiss) {
			this.store = store;
			this.onFirstMiss = onFirstMiss;
		}

		@Override
		public CachedResponse get(String tenant, String key) {
			this.gets.incrementAndGet();
			CachedResponse found = this.store.get(tenant, key);
			Runnable hook = this.onFirstMiss;
			if (found == null && hook != null) {
				this.onFirstMiss = null;
				hook.run();
			}
			return found;
		}

		@Override
		public void put(String tenant, String key, CachedResponse response, Duration ttl) {
			this.puts.incrementAndGet();
			this.store.put(tenant, key, response, ttl);
		}

		@Override
		public void remove(String tenant, String key) {
			this.store.remove(tenant, key);
		}

		@Override
		public long size() {
			return this.store.size();
		}

		@Override
		public CacheStatistics statistics() {
			return this.store.statistics();
		}

		@Override
		public long clear() {
			return this.store.clear();
		}

		@Override
		public long clearTenant(String tenant) {
			return this.store.clearTenant(tenant);
		}

	}

	/** A store of the application's that throws on every use. */
	private static final class BrokenStore implements ResponseCacheStore {

		private final CacheStatistics statistics = new CacheStatistics();

		@Override
		public CachedResponse get(String tenant, String key) {
			throw new IllegalStateException("store down");
		}

		@Override
		public void put(String tenant, String key, CachedResponse response, Duration ttl) {
			throw new IllegalStateException("store down");
		}

		@Override
		public void remove(String tenant, String key) {
			throw new IllegalStateException("store down");
		}

		@Override
		public long size() {
			return -1;
		}

		@Override
		public CacheStatistics statistics() {
			return this.statistics;
		}

		@Override
		public long clear() {
			return -1;
		}

		@Override
		public long clearTenant(String tenant) {
			return -1;
		}

	}

}
