package io.github.airesource.autoconfigure;

import java.math.BigDecimal;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetKeyDescriptor;
import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.routing.RoutingDecision;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.airesource.autoconfigure.EndToEndCalls.calls;
import static io.github.airesource.autoconfigure.EndToEndCalls.client;
import static io.github.airesource.autoconfigure.EndToEndCalls.usageOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Calls to a model the starter knows nothing about: no price in the catalog, no context
 * window, no tokenizer of its own; and a provider that names a model it does not know in
 * its answer. Through the starter's wiring, the real OpenAI client and HTTP; the chat
 * model's default model ({@code gpt-4o-mini}) is priced, so that cost limits may start.
 */
class UnknownModelEndToEndTests {

	private static final String UNKNOWN = "my-local-llama";

	private static final String QUESTION = "What is the capital of France?";

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withPropertyValues("management.endpoints.web.exposure.include=aiusage,aibudgets");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenTheModelHasNoPriceThenTheCallSucceedsWithAnUnknownCostCountedAsUnpricedAndListedInAiusage() {
		this.server.reply(OpenAiCompletion.text("Paris.").model(UNKNOWN).usage(100, 20));

		this.runner.run((context) -> {
			UsageRecord record = usageOf(ask(client(context), UNKNOWN).call().chatClientResponse());

			assertThat(record.model()).isEqualTo(UNKNOWN);
			assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			assertThat(record.promptTokens()).isEqualTo(100);
			assertThat(record.completionTokens()).isEqualTo(20);
			assertThat(record.cost()).as("unknown, never 0").isNull();
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("ai.resource.cost.unpriced").tag("model", UNKNOWN).counter().count()).isEqualTo(1);
			assertThat(meters.get("ai.resource.cost").tag("model", UNKNOWN).counter().count()).isZero();
			assertThat(meters.get("ai.resource.tokens").tag("model", UNKNOWN).tag("type", "input").counter().count())
				.isEqualTo(100);
			UsageDescriptor report = context.getBean(UsageEndpoint.class).usage(null);
			assertThat(report.unpricedModels()).containsExactly(UNKNOWN);
			assertThat(report.models().get(UNKNOWN).total().unpricedCalls()).isEqualTo(1);
			assertThat(report.models().get(UNKNOWN).total().cost()).isEqualByComparingTo("0");
		});
	}

	@Test
	void whenAnUnknownModelReportsNoUsageThenItsTokensAreCountedWithTheFallbackEncoding() {
		this.server.reply(OpenAiCompletion.text("Paris is the capital of France.").model(UNKNOWN).withoutUsage());

		this.runner.run((context) -> {
			UsageRecord record = usageOf(ask(client(context), UNKNOWN).call().chatClientResponse());

			assertThat(record.estimated()).isTrue();
			TokenCounter counter = TokenCounter.create();
			// o200k_base, as for gpt-4o: the approximation for models of other providers.
			assertThat(record.completionTokens())
				.isEqualTo(counter.countText("Paris is the capital of France.", "gpt-4o"))
				.isEqualTo(counter.countText("Paris is the capital of France.", UNKNOWN));
			assertThat(record.cost()).isNull();
		});
	}

	@Test
	void whenACostBudgetCoversAnUnknownModelThenTheCallIsRefusedBeforeTheProviderNamingThePriceProperty() {
		this.runner
			.withPropertyValues("ai.resource.budget.enabled=true", "ai.resource.budget.limits.per-user-cost.scope=user",
					"ai.resource.budget.limits.per-user-cost.max-cost=1.00")
			.run((context) -> {
				assertThatThrownBy(() -> ask(client(context), UNKNOWN).call().content())
					.isInstanceOfSatisfying(BudgetExceededException.class, (ex) -> {
						assertThat(ex.limitName()).isEqualTo("per-user-cost");
						assertThat(ex.retryAfter()).isEmpty();
					})
					.hasMessageContaining("'" + UNKNOWN + "' has no price")
					.hasMessageContaining(PricingCatalog.priceProperty(UNKNOWN));

				assertThat(this.server.requestCount()).isZero();
				assertThat(calls(context, "rejected")).isEqualTo(1);
				assertThat(context.getBean(BudgetsEndpoint.class).key("per-user-cost", "alice").reservedCost())
					.isEqualByComparingTo("0");
			});
	}

	@Test
	void whenATokenBudgetCoversAnUnknownModelThenItIsKeptInTokens() {
		this.server.reply(OpenAiCompletion.text("Paris.").model(UNKNOWN).usage(100, 20));

		this.runner
			.withPropertyValues("ai.resource.budget.enabled=true",
					"ai.resource.budget.limits.per-user-tokens.scope=user",
					"ai.resource.budget.limits.per-user-tokens.max-tokens=5000")
			.run((context) -> {
				ask(client(context), UNKNOWN).call().content();

				BudgetKeyDescriptor alice = context.getBean(BudgetsEndpoint.class).key("per-user-tokens", "alice");
				assertThat(alice.usedTokens()).isEqualTo(120);
				assertThat(alice.reservedTokens()).isZero();
			});
	}

	@Test
	void whenACostRateLimitCoversAnUnknownModelThenTheCallIsRefusedAsUnpriced() {
		this.runner
			.withPropertyValues("ai.resource.rate-limit.enabled=true",
					"ai.resource.rate-limit.limits.user-cost.scope=user",
					"ai.resource.rate-limit.limits.user-cost.cost=1.00",
					"ai.resource.rate-limit.limits.user-cost.period=1h")
			.run((context) -> {
				assertThatThrownBy(() -> ask(client(context), UNKNOWN).call().content())
					.isInstanceOfSatisfying(RateLimitExceededException.class, (ex) -> {
						assertThat(ex.limitName()).isEqualTo("user-cost");
						assertThat(ex.dimension()).isEqualTo(RateDimension.COST);
						assertThat(ex.retryAfter()).isEmpty();
					})
					.hasMessageContaining(PricingCatalog.priceProperty(UNKNOWN));

				assertThat(this.server.requestCount()).isZero();
				assertThat(context.getBean(MeterRegistry.class)
					.get("ai.resource.rate-limit.rejections")
					.tag("reason", "unpriced")
					.functionCounter()
					.count()).isEqualTo(1);
			});
	}

	@Test
	void whenTheProviderNamesAModelWithoutAPriceThenACostBudgetChargesTheTokensAtThePriceOfTheModelAskedFor() {
		// A proxy or deployment that answers under a name of its own.
		this.server.reply(OpenAiCompletion.text("Paris.").model("acme-gateway-deployment-7").usage(1000, 500));

		this.runner
			.withPropertyValues("ai.resource.budget.enabled=true", "ai.resource.budget.limits.per-user-cost.scope=user",
					"ai.resource.budget.limits.per-user-cost.max-cost=1.00")
			.run((context) -> {
				UsageRecord record = usageOf(ask(client(context), "gpt-4o-mini").call().chatClientResponse());

				assertThat(record.model()).isEqualTo("acme-gateway-deployment-7");
				assertThat(record.cost()).isNull();
				BudgetKeyDescriptor alice = context.getBean(BudgetsEndpoint.class).key("per-user-cost", "alice");
				assertThat(alice.reservedCost()).isEqualByComparingTo("0");
				// gpt-4o-mini: 1000 * 0.15 + 500 * 0.60 per 1M tokens.
				assertThat(alice.usedCost()).isEqualByComparingTo(new BigDecimal("0.00045"));
			});
	}

	@Test
	void whenTheModelHasNoKnownContextWindowThenTheContextWindowRuleLeavesItUnlessOneIsConfigured() {
		this.server.answerEveryRequest(
				(request) -> OpenAiCompletion.text("Paris.").model(request.path("model").asText()).usage(40, 2));
		String longPrompt = "Tell me everything about the history of Paris. ".repeat(80);
		ApplicationContextRunner routing = this.runner.withPropertyValues("ai.resource.routing.enabled=true",
				"ai.resource.routing.context-window-fallback=gpt-4.1");

		routing.run((context) -> {
			ChatClientResponse response = ask(client(context), UNKNOWN, longPrompt).call().chatClientResponse();

			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo(UNKNOWN);
			assertThat(response.context()).doesNotContainKey(ResourceContextKeys.ROUTING_DECISION);
		});
		routing.withPropertyValues("ai.resource.routing.context-windows." + UNKNOWN + "=300").run((context) -> {
			ChatClientResponse response = ask(client(context), UNKNOWN, longPrompt).call().chatClientResponse();

			assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4.1");
			assertThat(response.context().get(ResourceContextKeys.ROUTING_DECISION))
				.isEqualTo(new RoutingDecision(UNKNOWN, "gpt-4.1", RoutingDecision.CONTEXT_WINDOW, "context-window"));
		});
	}

	private static ChatClient.ChatClientRequestSpec ask(ChatClient client, String model) {
		return ask(client, model, QUESTION);
	}

	private static ChatClient.ChatClientRequestSpec ask(ChatClient client, String model, String question) {
		return client.prompt()
			.user(question)
			.options(OpenAiChatOptions.builder().model(model).build())
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"));
	}

}
