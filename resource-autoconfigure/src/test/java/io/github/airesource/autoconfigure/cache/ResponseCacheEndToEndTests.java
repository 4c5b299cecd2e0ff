package io.github.airesource.autoconfigure.cache;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.usage.ledger.UsageLedger;
import io.github.airesource.core.usage.ledger.UsageTotals;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The response cache as an application gets it from {@code application.yml}, through the
 * auto-configured {@code ChatClient} and the real OpenAI client: hits in the ledger, and
 * hits that pass budgets, rate limits and the concurrency limit without touching them.
 */
class ResponseCacheEndToEndTests {

	private static final String QUESTION = "Capital of France?";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withPropertyValues("ai.resource.cache.response.enabled=true", "spring.ai.openai.chat.options.temperature=0.0");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAnAnswerIsServedFromTheCacheThenTheLedgerCountsAHitWithTheTokensAndDollarsItSaved() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(1000, 500));
		this.runner.run((context) -> {
			ChatClient client = client(context);
			ask(client, "acme");
			ChatClientResponse hit = ask(client, "acme");

			assertThat(hit.context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
			assertThat(this.server.requestCount()).isEqualTo(1);
			UsageTotals totals = context.getBean(UsageLedger.class).report(10).global().total();
			assertThat(totals.calls()).isEqualTo(2);
			assertThat(totals.cacheHits()).isEqualTo(1);
			assertThat(totals.savedTokens()).isEqualTo(1500);
			assertThat(totals.savedCost()).isPositive();
			assertThat(totals.promptTokens()).as("spent once").isEqualTo(1000);
			assertThat(context.getBean(MeterRegistry.class)
				.get("ai.resource.calls")
				.tag("outcome", "cache_hit")
				.counter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void whenTenantBSendsTenantAsExactPromptThenItGetsNoHit() {
		this.server.answerEveryRequest((body) -> OpenAiCompletion.text("Answer " + this.server.requestCount()));
		this.runner.run((context) -> {
			ChatClient client = client(context);
			String acme = text(ask(client, "acme"));
			String globex = text(ask(client, "globex"));

			assertThat(globex).isNotEqualTo(acme);
			assertThat(this.server.requestCount()).isEqualTo(2);
			assertThat(context.getBean(UsageLedger.class).report(10).global().total().cacheHits()).isZero();
		});
	}

	@Test
	void whenRateLimitBudgetAndConcurrencyAreOnThenAHitTakesNoneOfThemAndSucceedsWhenTheyAreUsedUp() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(20, 5));
		this.runner
			.withPropertyValues("ai.resource.rate-limit.enabled=true",
					"ai.resource.rate-limit.limits.tenant-rpd.scope=tenant",
					"ai.resource.rate-limit.limits.tenant-rpd.requests=1",
					"ai.resource.rate-limit.limits.tenant-rpd.period=1d", "ai.resource.budget.enabled=true",
					"ai.resource.budget.limits.global-daily.scope=global",
					"ai.resource.budget.limits.global-daily.max-tokens=100000", "ai.resource.concurrency.enabled=true",
					"ai.resource.concurrency.max-concurrent=1")
			.run((context) -> {
				ChatClient client = client(context);
				ask(client, "acme");
				double budgetUsed = budgetUsed(context);
				assertThat(budgetUsed).isPositive();

				for (int i = 0; i < 3; i++) {
					assertThat(ask(client, "acme").context()).containsEntry(ResourceContextKeys.CACHE, "hit-exact");
				}
				assertThatThrownBy(() -> client.prompt()
					.user("Capital of Spain?")
					.advisors((a) -> a.param(ResourceContextKeys.TENANT, "acme"))
					.call()
					.content()).as("the one request of the day is still the first call's")
					.isInstanceOf(RateLimitExceededException.class);
				assertThat(budgetUsed(context)).isEqualTo(budgetUsed);
				assertThat(this.server.requestCount()).isEqualTo(1);
			});
	}

	@Test
	void whenAStreamAsksWhatACallCachedThenItIsReplayedInSeveralChunks() {
		this.server.answerEveryRequest(
				OpenAiCompletion.text("Paris is the capital and the largest city of France.").usage(20, 12));
		this.runner.withPropertyValues("ai.resource.cache.response.stream-chunk-chars=8").run((context) -> {
			ChatClient client = client(context);
			ask(client, "acme");
			List<ChatClientResponse> chunks = client.prompt()
				.user(QUESTION)
				.advisors((a) -> a.param(ResourceContextKeys.TENANT, "acme"))
				.stream()
				.chatClientResponse()
				.collectList()
				.block();

			assertThat(chunks).hasSizeGreaterThan(3);
			assertThat(chunks.stream().map(ResponseCacheEndToEndTests::text).reduce("", String::concat))
				.isEqualTo("Paris is the capital and the largest city of France.");
			assertThat(this.server.requestCount()).isEqualTo(1);
		});
	}

	private static double budgetUsed(ApplicationContext context) {
		return context.getBean(MeterRegistry.class)
			.get("ai.resource.budget.used")
			.tag("limit", "global-daily")
			.gauges()
			.stream()
			.mapToDouble((gauge) -> gauge.value())
			.sum();
	}

	static ChatClient client(ApplicationContext context) {
		return context.getBean(ChatClient.Builder.class).build();
	}

	static ChatClientResponse ask(ChatClient client, String tenant) {
		return client.prompt()
			.user(QUESTION)
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenant))
			.call()
			.chatClientResponse();
	}

	static String text(ChatClientResponse response) {
		if (response.chatResponse() == null || response.chatResponse().getResult() == null) {
			return "";
		}
		String text = response.chatResponse().getResult().getOutput().getText();
		return (text != null) ? text : "";
	}

}
