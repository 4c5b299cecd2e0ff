package io.github.airesource.core.memory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class MemoryGuardAdvisorTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final AtomicBoolean underPressure = new AtomicBoolean();

	private final MemoryPressure pressure = new MemoryPressure() {

		@Override
		public boolean underPressure() {
			return MemoryGuardAdvisorTests.this.underPressure.get();
		}

		@Override
		public double heapUsageAfterGc() {
			return 0.95;
		}

		@Override
		public double maxHeapUsage() {
			return 0.9;
		}

	};

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final List<CallScope> scopes = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> {
				this.recorded.add(record);
				this.scopes.add(scope);
			}));

	private final MemoryGuardAdvisor guard = MemoryGuardAdvisor.builder(this.pressure)
		.recorder(this.recorder)
		.defaultModel(() -> "gpt-4o-mini")
		.build();

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenTheHeapIsNotUnderPressureThenCallsPass() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris").usage(10, 2));
		assertThat(ask(client())).isEqualTo("Paris");
		assertThat(this.guard.rejections()).isZero();
		assertThat(this.recorded).singleElement()
			.satisfies((r) -> assertThat(r.outcome()).isEqualTo(CallOutcome.SUCCESS));
	}

	@Test
	void whenTheHeapIsUnderPressureThenCallsAreRefusedBeforeTheModelAndRecordedAsRejected() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris").usage(10, 2));
		this.underPressure.set(true);
		assertThatThrownBy(() -> ask(client())).isInstanceOfSatisfying(MemoryPressureException.class, (ex) -> {
			assertThat(ex.limitName()).isEqualTo("max-heap-usage");
			assertThat(ex.scope()).isEqualTo(ScopeType.GLOBAL);
			assertThat(ex.retryAfter()).isEmpty();
			assertThat(ex.heapUsageAfterGc()).isEqualTo(0.95);
			assertThat(ex.getMessage()).contains("95.0%").contains("ai.resource.memory.max-heap-usage");
		});
		assertThat(this.server.requestCount()).isZero();
		assertThat(this.guard.rejections()).isEqualTo(1);
		assertThat(this.guard.lastRejection()).isNotNull();
		assertThat(this.recorded).singleElement().satisfies((r) -> {
			assertThat(r.outcome()).isEqualTo(CallOutcome.REJECTED);
			assertThat(r.model()).isEqualTo("gpt-4o-mini");
			assertThat(r.promptTokens()).isZero();
		});
		assertThat(this.scopes).singleElement().satisfies((s) -> assertThat(s.user()).isEqualTo("alice"));
	}

	@Test
	void whenTheHeapIsUnderPressureThenStreamsAreRefusedOnSubscription() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is").usage(10, 2));
		this.underPressure.set(true);
		assertThatThrownBy(() -> client().prompt()
			.user("Capital of France?")
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(20))).isInstanceOf(MemoryPressureException.class);
		assertThat(this.server.requestCount()).isZero();
		assertThat(this.recorded).singleElement()
			.satisfies((r) -> assertThat(r.outcome()).isEqualTo(CallOutcome.REJECTED));
	}

	@Test
	void whenThePressureClearsThenStreamsPassAgain() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is").usage(10, 2));
		this.underPressure.set(true);
		assertThatThrownBy(() -> ask(client())).isInstanceOf(MemoryPressureException.class);
		this.underPressure.set(false);
		assertThat(String.join("",
				client().prompt()
					.user("Capital of France?")
					.stream()
					.content()
					.collectList()
					.block(Duration.ofSeconds(20))))
			.isEqualTo("Paris");
	}

	@Test
	void whenPressureStartsDuringACallThenTheRunningCallFinishesAndTheNextIsRefused() throws Exception {
		CountDownLatch gate = new CountDownLatch(1);
		this.server.answerEveryRequestWhenOpen(OpenAiCompletion.text("Paris").usage(10, 2), gate);
		ChatClient client = client();
		CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> ask(client));
		await().atMost(Duration.ofSeconds(20)).until(() -> this.server.requestsInProgress() == 1);
		this.underPressure.set(true);
		assertThatThrownBy(() -> ask(client)).isInstanceOf(MemoryPressureException.class);
		gate.countDown();
		assertThat(running.get(20, TimeUnit.SECONDS)).isEqualTo("Paris");
	}

	@Test
	void theGuardIsTheOutermostResourceAdvisorAfterScopeCapture() {
		assertThat(this.guard.getOrder()).isEqualTo(ResourceAdvisorOrder.MEMORY_GUARD)
			.isLessThan(ResourceAdvisorOrder.HISTORY)
			.isGreaterThan(ResourceAdvisorOrder.TOOL_SCOPE);
	}

	private ChatClient client() {
		return ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(this.guard, UsageAdvisor.builder(this.recorder).build())
			.build();
	}

	private static String ask(ChatClient client) {
		return client.prompt()
			.user("Capital of France?")
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
			.call()
			.content();
	}

}
