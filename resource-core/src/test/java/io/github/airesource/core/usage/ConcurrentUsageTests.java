package io.github.airesource.core.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageTotals;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many concurrent calls, blocking and streaming, through one shared advisor: every call
 * is recorded exactly once and the totals are exact, on platform threads and, where the
 * JVM has them, on virtual threads.
 */
class ConcurrentUsageTests {

	private static final int CALLS = 120;

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(1000, MutableClock.atNewYear2026());

	private final ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
		.defaultAdvisors(
				UsageAdvisor.builder(new UsageRecorder(PricingCatalog.withDefaults(), List.of(this.ledger))).build())
		.build();

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenCallsRunConcurrentlyOnPlatformThreadsThenTotalsAreExact() throws Exception {
		TestThreads.onPlatformThreads(16, this::runConcurrently);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void whenCallsRunConcurrentlyOnVirtualThreadsThenTotalsAreExact() throws Exception {
		TestThreads.onVirtualThreads(this::runConcurrently);
	}

	private void runConcurrently(ExecutorService executor) throws Exception {
		this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is.").usage(100, 10));
		List<Future<String>> answers = new ArrayList<>();
		for (int i = 0; i < CALLS; i++) {
			String user = "user-" + (i % 4);
			boolean stream = i % 2 == 1;
			answers.add(executor.submit(() -> stream
					? String.join("",
							this.client.prompt()
								.user("Capital of France?")
								.advisors((a) -> a.param(ResourceContextKeys.USER, user))
								.stream()
								.content()
								.collectList()
								.block())
					: this.client.prompt()
						.user("Capital of France?")
						.advisors((a) -> a.param(ResourceContextKeys.USER, user))
						.call()
						.content()));
		}
		for (Future<String> answer : answers) {
			assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("Paris.");
		}

		UsageTotals total = this.ledger.report(10).global().total();
		assertThat(total.calls()).isEqualTo(CALLS);
		assertThat(total.promptTokens()).isEqualTo(100L * CALLS);
		assertThat(total.completionTokens()).isEqualTo(10L * CALLS);
		// gpt-4o-mini: 100 * 0.15 + 10 * 0.60 per 1M = 0.000021 per call
		assertThat(total.cost()).isEqualByComparingTo("0.00252");
		for (int u = 0; u < 4; u++) {
			assertThat(this.ledger.scope(ScopeType.USER, "user-" + u).orElseThrow().total().calls())
				.isEqualTo(CALLS / 4);
		}
	}

}
