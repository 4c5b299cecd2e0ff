package io.github.airesource.core.guard;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The timeout advisor end to end: a real {@link ChatClient} with the budget and usage
 * advisors outside it, over the real OpenAI client, against a loopback server that
 * answers slowly.
 */
class TimeoutAdvisorTests {

	private static final String QUESTION = "What is the capital of France?";

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private static final Duration SLOW = Duration.ofSeconds(15);

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final MutableClock clock = MutableClock.atNewYear2026();

	private final InMemoryBudgetStore store = new InMemoryBudgetStore(this.clock);

	private final BudgetLimit daily = BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
			new BudgetAmount(100_000L, null));

	private final TokenCounter tokenCounter = TokenCounter.create();

	private final List<UsageRecord> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(record)));

	private final ChatClient client = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
		.defaultAdvisors(
				BudgetAdvisor.builder(new Budgets(List.of(this.daily), this.store, null))
					.tokenCounter(this.tokenCounter)
					.recorder(this.recorder)
					.clock(this.clock)
					.build(),
				UsageAdvisor.builder(this.recorder).tokenCounter(this.tokenCounter).build(),
				TimeoutAdvisor.builder(TIMEOUT).build())
		.build();

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void whenABlockingCallIsSlowerThanTheTimeoutThenItFailsBeforeTheReplyAndReleasesItsReservation() {
		this.server.replySlowly(OpenAiCompletion.text("Paris.").usage(14, 2), SLOW);

		long start = System.nanoTime();
		assertThatThrownBy(() -> ask().call().content()).isInstanceOfSatisfying(CallTimeoutException.class, (ex) -> {
			assertThat(ex.timeout()).isEqualTo(TIMEOUT);
			assertThat(ex.getMessage()).contains("PT2S").contains("ai.resource.guard.timeout");
		});
		Duration waited = Duration.ofNanos(System.nanoTime() - start);

		assertThat(waited).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(SLOW);
		assertThat(this.store.usage(this.daily, "alice").reservedTokens()).isZero();
		assertThat(this.recorded).singleElement()
			.satisfies((record) -> assertThat(record.outcome()).isEqualTo(CallOutcome.ERROR));
	}

	@Test
	void whenABlockingCallIsFasterThanTheTimeoutThenItsAnswerAndUsageComeThrough() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(14, 2));

		var response = ask().call().chatClientResponse();

		assertThat(response.chatResponse().getResult().getOutput().getText()).isEqualTo("Paris.");
		assertThat(response.context().get(ResourceContextKeys.USAGE)).isInstanceOf(UsageRecord.class);
		assertThat(this.store.usage(this.daily, "alice").usedTokens()).isEqualTo(16);
	}

	@Test
	void whenTheModelFailsWithinTheTimeoutThenItsOwnErrorComesThrough() {
		this.server.fail(500, "The server had an error");

		assertThatThrownBy(() -> ask().call().content()).isNotInstanceOf(CallTimeoutException.class)
			.hasMessageContaining("The server had an error");
	}

	@Test
	void whenAStreamStallsThenItFailsAtTheTimeoutAndSettlesItsReservation() {
		this.server.stream(OpenAiCompletion.text("Par", "is", ".").usage(14, 3).stallAfter(1));

		long start = System.nanoTime();
		assertThatThrownBy(() -> ask().stream().content().collectList().block(SLOW))
			.isInstanceOf(CallTimeoutException.class);
		Duration waited = Duration.ofNanos(System.nanoTime() - start);

		assertThat(waited).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(SLOW);
		await().untilAsserted(() -> assertThat(this.store.usage(this.daily, "alice").reservedTokens()).isZero());
		assertThat(this.recorded).singleElement()
			.satisfies((record) -> assertThat(record.outcome()).isEqualTo(CallOutcome.ERROR));
	}

	@Test
	void whenAStreamKeepsTricklingPastTheTimeoutThenTheWholeStreamIsBoundedNotEachChunk() {
		// Each chunk arrives well within the timeout; all of them take several times it.
		String[] chunks = new String[40];
		Arrays.fill(chunks, "x");
		this.server.stream(OpenAiCompletion.text(chunks).chunkDelay(Duration.ofMillis(100)));
		List<String> received = new CopyOnWriteArrayList<>();

		assertThatThrownBy(() -> ask().stream().content().doOnNext(received::add).collectList().block(SLOW))
			.isInstanceOf(CallTimeoutException.class);

		assertThat(received).isNotEmpty().hasSizeLessThan(40);
		await().untilAsserted(() -> assertThat(this.store.usage(this.daily, "alice").reservedTokens()).isZero());
	}

	@Test
	void whenAStreamEndsWithinTheTimeoutThenItIsPassedOnWhole() {
		this.server.stream(OpenAiCompletion.text("Par", "is", ".").usage(14, 3));

		assertThat(ask().stream().content().collectList().block(SLOW)).containsExactly("Par", "is", ".");
		await().untilAsserted(() -> assertThat(this.store.usage(this.daily, "alice").usedTokens()).isEqualTo(17));
	}

	private ChatClient.ChatClientRequestSpec ask() {
		return this.client.prompt().user(QUESTION).advisors((a) -> a.param(ResourceContextKeys.USER, "alice"));
	}

}
