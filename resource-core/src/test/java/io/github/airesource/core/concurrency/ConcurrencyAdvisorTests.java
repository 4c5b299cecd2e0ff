package io.github.airesource.core.concurrency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import reactor.core.Disposable;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The concurrency advisor end to end: a real {@link ChatClient} with the concurrency and
 * usage advisors over the real OpenAI client, talking HTTP to a loopback server that
 * speaks the OpenAI wire format and counts the requests it holds at once.
 */
class ConcurrencyAdvisorTests {

	private static final String QUESTION = "What is the capital of France?";

	private static final String STALL = "Tell me a long story.";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	private final CountDownLatch gate = new CountDownLatch(1);

	@AfterEach
	void stopServer() {
		this.gate.countDown();
		this.server.close();
	}

	@Test
	void whenTwoHundredCallsRaceOnPlatformThreadsThenFiveRunTwentyWaitAndTheRestAreRefusedAtOnce() throws Exception {
		TestThreads.onPlatformThreads(200, this::twoHundredCalls);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void whenTwoHundredCallsRaceOnVirtualThreadsThenFiveRunTwentyWaitAndTheRestAreRefusedAtOnce() throws Exception {
		TestThreads.onVirtualThreads(this::twoHundredCalls);
	}

	private void twoHundredCalls(ExecutorService executor) throws Exception {
		this.server.answerEveryRequestWhenOpen(OpenAiCompletion.text("Paris.").usage(20, 2), this.gate);
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(5)
			.maxQueue(20)
			.maxWait(Duration.ofSeconds(60))
			.build();
		ChatClient client = client(bulkhead);
		CountDownLatch start = new CountDownLatch(1);
		AtomicInteger refused = new AtomicInteger();
		List<String> refusedBy = new CopyOnWriteArrayList<>();
		List<Future<String>> calls = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			calls.add(executor.submit(() -> {
				start.await();
				try {
					return ask(client, "alice");
				}
				catch (ConcurrencyLimitExceededException ex) {
					refusedBy.add(ex.limitName());
					refused.incrementAndGet();
					return null;
				}
			}));
		}

		start.countDown();

		// The model answers nothing until the gate opens: refused calls ended before.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.server.requestsInProgress() == 5 && bulkhead.snapshot().queued().total() == 20
					&& refused.get() == 175);
		assertThat(refusedBy).containsOnly("max-queue");
		assertThat(this.server.requestCount()).isEqualTo(5);
		this.gate.countDown();
		int answered = 0;
		for (Future<String> call : calls) {
			if ("Paris.".equals(call.get(30, TimeUnit.SECONDS))) {
				answered++;
			}
		}

		assertThat(answered).isEqualTo(25);
		assertThat(this.server.requestCount()).isEqualTo(25);
		assertThat(this.server.mostRequestsInProgress()).isEqualTo(5);
		assertAllPermitsBack(bulkhead, 5);
		assertThat(bulkhead.snapshot().rejections().maxQueue()).isEqualTo(175);
		assertThat(this.recorded).filteredOn((record) -> record.outcome() == CallOutcome.REJECTED).hasSize(175);
		assertThat(this.recorded).filteredOn((record) -> record.outcome() == CallOutcome.SUCCESS).hasSize(25);
	}

	@Test
	void whenAStreamIsRunningThenItHoldsItsPermitUntilCancelledAndAWaitingCallGoesOn() throws Exception {
		this.server.stream(OpenAiCompletion.text("Once ", "upon ", "a time").usage(20, 3).stallAfter(2))
			.reply(OpenAiCompletion.text("Paris.").usage(20, 2));
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).build();
		ChatClient client = client(bulkhead);
		List<String> received = new CopyOnWriteArrayList<>();
		Disposable stream = client.prompt().user(STALL).stream().content().subscribe(received::add);
		await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
		assertThat(bulkhead.snapshot().active()).isEqualTo(1);

		TestThreads.onPlatformThreads(1, (executor) -> {
			Future<String> waiting = executor.submit(() -> ask(client, "bob"));
			await().atMost(Duration.ofSeconds(10)).until(() -> bulkhead.snapshot().queued().total() == 1);
			assertThat(waiting).isNotDone();

			stream.dispose();

			assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("Paris.");
		});
		assertAllPermitsBack(bulkhead, 1);
	}

	@Test
	void whenAStreamCompletesOrFailsThenItGivesItsPermitBack() {
		this.server.stream(OpenAiCompletion.text("Paris.").usage(20, 2)).fail(500, "The server had an error");
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).maxQueue(0).build();
		ChatClient client = client(bulkhead);

		assertThat(client.prompt().user(QUESTION).stream().content().collectList().block(Duration.ofSeconds(10)))
			.containsExactly("Paris.");
		assertAllPermitsBack(bulkhead, 1);
		assertThatThrownBy(
				() -> client.prompt().user(QUESTION).stream().content().collectList().block(Duration.ofSeconds(10)))
			.isNotInstanceOf(ConcurrencyLimitExceededException.class);
		assertAllPermitsBack(bulkhead, 1);
	}

	@Test
	void whenAStreamWaitsLongerThanMaxWaitThenItFailsWithTheRefusalAndLeavesTheQueue() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(1)
			.maxWait(Duration.ofMillis(50))
			.build();
		ConcurrencyPermit taken = bulkhead.enter(ConcurrencyPriority.NORMAL, CallScope.NONE);
		ChatClient client = client(bulkhead);

		assertThatThrownBy(
				() -> client.prompt().user(QUESTION).stream().content().collectList().block(Duration.ofSeconds(10)))
			.isInstanceOfSatisfying(ConcurrencyLimitExceededException.class,
					(ex) -> assertThat(ex.limitName()).isEqualTo("max-wait"));

		assertThat(bulkhead.snapshot().queued().total()).isZero();
		assertThat(this.server.requestCount()).isZero();
		assertThat(this.recorded).singleElement()
			.satisfies((record) -> assertThat(record.outcome()).isEqualTo(CallOutcome.REJECTED));
		taken.close();
		assertAllPermitsBack(bulkhead, 1);
	}

	@Test
	void whenAHighPriorityCallWaitsBehindLowOnesThenTheModelAnswersItFirst() throws Exception {
		this.server.answerEveryRequestWhenOpen(OpenAiCompletion.text("Paris.").usage(20, 2), this.gate);
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).build();
		ChatClient client = client(bulkhead);
		TestThreads.onPlatformThreads(5, (executor) -> {
			List<Future<?>> calls = new ArrayList<>();
			calls.add(executor.submit(() -> ask(client, "first", "normal")));
			await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requestsInProgress() == 1);
			for (int i = 0; i < 3; i++) {
				int number = i;
				calls.add(executor.submit(() -> ask(client, "low-" + number, "low")));
				await().atMost(Duration.ofSeconds(10)).until(() -> bulkhead.snapshot().queued().low() == number + 1);
			}
			calls.add(executor.submit(() -> ask(client, "high", "HIGH")));
			await().atMost(Duration.ofSeconds(10)).until(() -> bulkhead.snapshot().queued().high() == 1);

			this.gate.countDown();

			for (Future<?> call : calls) {
				call.get(10, TimeUnit.SECONDS);
			}
		});
		List<String> order = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			order.add(this.server.takeRequest().path("messages").get(0).path("content").asText());
		}
		assertThat(order).containsExactly("first", "high", "low-0", "low-1", "low-2");
	}

	@Test
	void whenAThousandCallsAndStreamsAreCancelledOrTimedOutAtRandomOnPlatformThreadsThenEveryPermitComesBack()
			throws Exception {
		TestThreads.onPlatformThreads(32, this::thousandCallsWithCancellations);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void whenAThousandCallsAndStreamsAreCancelledOrTimedOutAtRandomOnVirtualThreadsThenEveryPermitComesBack()
			throws Exception {
		TestThreads.onVirtualThreads(this::thousandCallsWithCancellations);
	}

	private void thousandCallsWithCancellations(ExecutorService executor) throws Exception {
		// Streams asked for a story stall mid-way, as a slow model does, until cancelled.
		this.server.answerEveryRequest((request) -> request.toString().contains(STALL)
				? OpenAiCompletion.text("Once ", "upon ", "a time").usage(20, 3).stallAfter(2)
				: OpenAiCompletion.text("Paris.").usage(20, 2));
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(5)
			.maxQueue(20)
			.maxWait(Duration.ofMillis(200))
			.perUser(3)
			.reservedForHigh(1)
			.build();
		ChatClient client = client(bulkhead);
		Random random = new Random(7);
		List<Future<?>> calls = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			int kind = random.nextInt(5);
			String user = "user-" + random.nextInt(4);
			String priority = List.of("high", "normal", "low", "unknown").get(random.nextInt(4));
			long timeoutMillis = 1 + random.nextInt(30);
			calls.add(executor.submit(() -> {
				try {
					oneOf(client, kind, user, priority, timeoutMillis);
				}
				catch (RuntimeException ex) {
					// refused, timed out or cancelled: what matters is what is left over
				}
				return null;
			}));
		}
		for (int i = 0; i < calls.size(); i++) {
			if (i % 10 == 0) {
				// Interrupts a blocking call while it waits or while the model answers.
				calls.get(i).cancel(true);
			}
		}
		for (Future<?> call : calls) {
			try {
				call.get(60, TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.CancellationException ex) {
				// cancelled above
			}
			catch (TimeoutException ex) {
				throw new AssertionError("a call never ended", ex);
			}
		}

		assertAllPermitsBack(bulkhead, 5);
	}

	private void oneOf(ChatClient client, int kind, String user, String priority, long timeoutMillis) {
		var prompt = client.prompt()
			.advisors((a) -> a.param(ResourceContextKeys.USER, user).param(ResourceContextKeys.PRIORITY, priority));
		switch (kind) {
			case 0 -> prompt.user(QUESTION).call().content();
			case 1 -> prompt.user(QUESTION).stream().content().collectList().block(Duration.ofSeconds(10));
			// disposed mid-way, once the first text arrived
			case 2 -> prompt.user(STALL).stream().content().take(1).blockLast(Duration.ofSeconds(10));
			// times out, while it waits for a permit or while the model answers
			case 3 -> prompt.user(STALL)
				.stream()
				.content()
				.timeout(Duration.ofMillis(timeoutMillis))
				.blockLast(Duration.ofSeconds(10));
			default -> prompt.user(QUESTION)
				.stream()
				.content()
				.timeout(Duration.ofMillis(timeoutMillis))
				.blockLast(Duration.ofSeconds(10));
		}
	}

	private static void assertAllPermitsBack(ConcurrencyBulkhead bulkhead, int max) {
		// Streams end on the model client's event loop, a moment after the caller's block
		// returned.
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			ConcurrencySnapshot snapshot = bulkhead.snapshot();
			assertThat(snapshot.active()).isZero();
			assertThat(snapshot.queued().total()).isZero();
			assertThat(snapshot.available()).isEqualTo(max);
			assertThat(bulkhead.resilience4jBulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(max);
		});
	}

	private String ask(ChatClient client, String user) {
		return client.prompt().user(QUESTION).advisors((a) -> a.param(ResourceContextKeys.USER, user)).call().content();
	}

	/**
	 * Ask with the user's name as the question, so the server's requests tell who asked.
	 */
	private String ask(ChatClient client, String user, String priority) {
		return client.prompt()
			.user(user)
			.advisors((a) -> a.param(ResourceContextKeys.USER, user).param(ResourceContextKeys.PRIORITY, priority))
			.call()
			.content();
	}

	private ChatClient client(ConcurrencyBulkhead bulkhead) {
		ConcurrencyAdvisor concurrency = ConcurrencyAdvisor.builder(bulkhead)
			.recorder(this.recorder)
			.defaultModel(() -> "gpt-4o-mini")
			.build();
		UsageAdvisor usage = UsageAdvisor.builder(this.recorder).defaultModel(() -> "gpt-4o-mini").build();
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server)).defaultAdvisors(concurrency, usage).build();
	}

}
