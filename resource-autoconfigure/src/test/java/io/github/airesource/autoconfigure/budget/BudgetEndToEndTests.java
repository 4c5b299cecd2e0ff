package io.github.airesource.autoconfigure.budget;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetHealthIndicator;
import io.github.airesource.actuate.budget.BudgetKeyDescriptor;
import io.github.airesource.actuate.budget.BudgetsDescriptor;
import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.autoconfigure.ResourceAutoConfigurations;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Budgets as an application gets them from the starter: limits in properties, the
 * auto-configured {@link ChatClient.Builder}, the real OpenAI client over HTTP, the
 * {@code aibudgets} endpoint, the {@code aibudget} health contributor and the meters.
 */
class BudgetEndToEndTests {

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl())
		.withPropertyValues("management.endpoints.web.exposure.include=aiusage,aibudgets",
				"ai.resource.budget.enabled=true", "ai.resource.budget.default-output-reservation=250",
				"ai.resource.budget.limits.per-user-daily.scope=user",
				"ai.resource.budget.limits.per-user-daily.max-tokens=500",
				"ai.resource.budget.limits.per-user-daily.overrides.vip.max-tokens=100000",
				"ai.resource.budget.limits.global-daily.scope=global",
				"ai.resource.budget.limits.global-daily.max-cost=1.00");

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAUserSpendsTheBudgetThenTheNextCallIsRefusedAndTheEndpointShowsWhy() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(200, 100));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			ask(client, "alice");

			assertThatThrownBy(() -> ask(client, "alice")).isInstanceOfSatisfying(BudgetExceededException.class,
					(ex) -> {
						assertThat(ex.limitName()).isEqualTo("per-user-daily");
						assertThat(ex.key()).isEqualTo("alice");
						assertThat(ex.retryAfter()).isPresent();
					});
			ask(client, "vip");

			assertThat(this.server.requestCount()).isEqualTo(2);
			BudgetKeyDescriptor alice = endpoint(context).key("per-user-daily", "alice");
			assertThat(alice.usedTokens()).isEqualTo(300);
			assertThat(alice.reservedTokens()).isZero();
			assertThat(alice.remainingTokens()).isEqualTo(200);
			assertThat(alice.maxTokens()).isEqualTo(500);
			assertThat(endpoint(context).key("per-user-daily", "vip").maxTokens()).isEqualTo(100_000);
			BudgetsDescriptor report = endpoint(context).budgets(null);
			assertThat(report.limits()).extracting(BudgetsDescriptor.LimitDescriptor::name)
				.containsExactly("per-user-daily", "global-daily");
			assertThat(report.limits().get(0).keys()).extracting(BudgetKeyDescriptor::key)
				.containsExactly("alice", "vip");
			assertThat(report.limits().get(1).keys()).singleElement()
				.satisfies((global) -> assertThat(global.usedCost()).isPositive());
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("ai.resource.calls")
				.tags("model", "gpt-4o-mini", "outcome", "rejected")
				.counter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void whenAKeyIsResetOrGrantedThroughTheEndpointThenTheNextCallSeesIt() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(200, 100));

		this.runner.run((context) -> {
			ChatClient client = context.getBean(ChatClient.Builder.class).build();
			ask(client, "alice");
			assertThatThrownBy(() -> ask(client, "alice")).isInstanceOf(BudgetExceededException.class);

			BudgetKeyDescriptor granted = endpoint(context).grant("per-user-daily", "alice", 300L, null);
			assertThat(granted.extraTokens()).isEqualTo(300);
			ask(client, "alice");
			assertThatThrownBy(() -> ask(client, "alice")).isInstanceOf(BudgetExceededException.class);

			BudgetKeyDescriptor reset = endpoint(context).reset("per-user-daily", "alice");
			assertThat(reset.usedTokens()).isZero();
			ask(client, "alice");
			assertThat(this.server.requestCount()).isEqualTo(3);
			assertThat(endpoint(context).key("no-such-limit", "alice")).isNull();
		});
	}

	@Test
	void whenAGlobalBudgetIsUsedUpThenHealthSaysSoWithoutGoingDownAndTheMeterShowsIt() {
		this.server.answerEveryRequest(OpenAiCompletion.text("Paris.").usage(600, 100));

		this.runner
			.withPropertyValues("ai.resource.budget.limits.global-tokens.scope=global",
					"ai.resource.budget.limits.global-tokens.max-tokens=1000")
			.run((context) -> {
				ChatClient client = context.getBean(ChatClient.Builder.class).build();
				BudgetHealthIndicator health = context.getBean(BudgetHealthIndicator.class);
				assertThat(health.health().getStatus().getCode()).isEqualTo("UP");

				ask(client, "vip");
				assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
				assertThat(usedGauge(context, "global-tokens")).isEqualTo(0.7);

				// Admitted on its reservation, the call then used more than was left.
				ask(client, "vip");
				Health exhausted = health.health();
				assertThat(exhausted.getStatus().getCode()).isEqualTo(BudgetHealthIndicator.BUDGET_EXHAUSTED);
				assertThat(exhausted.getDetails()).containsKey("limits");
				assertThat(usedGauge(context, "global-tokens")).isEqualTo(1.4);
				assertThatThrownBy(() -> ask(client, "vip")).isInstanceOfSatisfying(BudgetExceededException.class,
						(ex) -> assertThat(ex.limitName()).isEqualTo("global-tokens"));
			});
	}

	private static double usedGauge(ApplicationContext context, String limit) {
		return context.getBean(MeterRegistry.class).get("ai.resource.budget.used").tag("limit", limit).gauge().value();
	}

	@Test
	void whenTheFallbackModelTakesOverThenTheWireAndTheLedgerShowIt() {
		this.server.reply(OpenAiCompletion.text("Paris.").model("gpt-4o-2024-08-06").usage(200, 100))
			.reply(OpenAiCompletion.text("Rome.").model("gpt-4o-mini-2024-07-18").usage(200, 100));

		this.runner
			.withPropertyValues("ai.resource.budget.limits.gpt-4o-daily.scope=user",
					"ai.resource.budget.limits.gpt-4o-daily.models=gpt-4o",
					"ai.resource.budget.limits.gpt-4o-daily.max-cost=0.003",
					"ai.resource.budget.limits.gpt-4o-daily.on-exhausted=fallback-model",
					"ai.resource.budget.limits.gpt-4o-daily.fallback-model=gpt-4o-mini")
			.run((context) -> {
				ChatClient client = context.getBean(ChatClient.Builder.class).build();
				OpenAiChatOptions gpt4o = OpenAiChatOptions.builder().model("gpt-4o").build();

				ask(client, "vip", gpt4o);
				ask(client, "vip", gpt4o);

				assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o");
				assertThat(this.server.takeRequest().path("model").asText()).isEqualTo("gpt-4o-mini");
				assertThat(context.getBean(UsageEndpoint.class).usage(null).models())
					.containsOnlyKeys("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18");
			});
	}

	private static String ask(ChatClient client, String user) {
		return ask(client, user, null);
	}

	private static String ask(ChatClient client, String user, OpenAiChatOptions options) {
		var prompt = client.prompt()
			.user("Capital of France?")
			.advisors((a) -> a.param(ResourceContextKeys.USER, user));
		return ((options != null) ? prompt.options(options) : prompt).call().content();
	}

	private static BudgetsEndpoint endpoint(ApplicationContext context) {
		return context.getBean(BudgetsEndpoint.class);
	}

}
