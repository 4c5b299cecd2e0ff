package io.github.airesource.benchmarks;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.budget.InMemoryBudgetStore;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * What the budget advisor with the in-memory store adds to a call, at two threads, beyond
 * the usage advisor: a per-user daily token limit, and with {@code limits=user+global}
 * also a global daily cost limit that every call shares, all reserved before the call and
 * settled after it. The model is a no-op that reports usage; the 2 KB prompt's count
 * comes from the memo, as on a warm service.
 *
 * <ul>
 * <li>{@code withUsageAdvisor}: the baseline, scope capture and usage advisor as the
 * starter wires them.</li>
 * <li>{@code withPassThroughAndUsageAdvisors}: the same plus an advisor that does
 * nothing, what a third advisor costs in Spring AI's chain by itself.</li>
 * <li>{@code withBudgetAndUsageAdvisors}: the same plus the budget advisor.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class BudgetAdvisorBenchmark {

	private final AtomicInteger threads = new AtomicInteger();

	/**
	 * Which limits apply: a per-user limit only (each thread its own counter), or also a
	 * global one that every call shares.
	 */
	@Param({ "user", "user+global" })
	public String limits;

	private Prompt prompt;

	private ChatClient withUsage;

	private ChatClient withBudget;

	private ChatClient withPassThrough;

	@Setup
	public void setUp() {
		this.prompt = new Prompt(BenchmarkTexts.twoKilobytePrompt());
		TokenCounter counter = TokenCounter.create();
		ScopeResolution resolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());
		UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
				List.<UsageListener>of(new InMemoryUsageLedger(10_000, Clock.systemUTC())));
		UsageAdvisor usage = UsageAdvisor.builder(recorder).tokenCounter(counter).scopeResolution(resolution).build();
		ScopeCaptureAdvisor capture = new ScopeCaptureAdvisor(resolution);
		// Allowances no benchmark run can use up: the cost of refusals is not measured
		// here.
		List<BudgetLimit> applied = new ArrayList<>();
		applied.add(BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(Long.MAX_VALUE / 4, null)));
		// The parameter used to be ignored: both variants ran with both limits.
		if (this.limits.contains("global")) {
			applied.add(BudgetLimit.of("global-daily", ScopeType.GLOBAL, Duration.ofDays(1),
					new BudgetAmount(null, new BigDecimal("1000000000"))));
		}
		Budgets budgets = new Budgets(applied, new InMemoryBudgetStore(Clock.systemUTC()), null);
		BudgetAdvisor budget = BudgetAdvisor.builder(budgets)
			.tokenCounter(counter)
			.scopeResolution(resolution)
			.recorder(recorder)
			.defaultModel(() -> "gpt-4o-mini")
			.build();
		this.withUsage = ChatClient.builder(NoOpChatModel.reportingUsage()).defaultAdvisors(capture, usage).build();
		this.withPassThrough = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(capture, new PassThroughAdvisor(BudgetAdvisor.DEFAULT_ORDER), usage)
			.build();
		this.withBudget = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(capture, budget, usage)
			.build();
	}

	/**
	 * Each benchmark thread calls as its own user.
	 */
	@State(Scope.Thread)
	public static class Caller {

		String user;

		@Setup
		public void setUp(BudgetAdvisorBenchmark benchmark) {
			this.user = "user-" + benchmark.threads.incrementAndGet();
		}

	}

	@Benchmark
	public ChatResponse withUsageAdvisor(Caller caller) {
		return call(this.withUsage, caller);
	}

	/**
	 * The control: what any third advisor costs in Spring AI's chain, doing nothing.
	 * @param caller the calling thread's user
	 * @return the response
	 */
	@Benchmark
	public ChatResponse withPassThroughAndUsageAdvisors(Caller caller) {
		return call(this.withPassThrough, caller);
	}

	@Benchmark
	public ChatResponse withBudgetAndUsageAdvisors(Caller caller) {
		return call(this.withBudget, caller);
	}

	private ChatResponse call(ChatClient client, Caller caller) {
		return client.prompt(this.prompt)
			.advisors((a) -> a.param(ResourceContextKeys.USER, caller.user).param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.chatResponse();
	}

}
