package io.github.airesource.benchmarks;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.SystemPrompts;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.metrics.UsageMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * What the usage advisor adds to a {@link ChatClient} call with a 2 KB prompt, once warm.
 *
 * <ul>
 * <li>{@code bareChatClient}: the baseline, a bare client over a no-op model.</li>
 * <li>{@code withUsageAdvisor}: the advisor as the starter wires it (pricing, in-memory
 * ledger with per-scope windows, Micrometer meters), the provider reporting usage.</li>
 * <li>{@code withUsageAdvisorEstimating}: the provider reports no usage, so the advisor
 * counts the prompt (from the memo: the same prompt was counted before) and the
 * answer.</li>
 * <li>{@code withScopeCaptureAndUsageAdvisor}: as the starter wires it, with the advisor
 * that captures the caller's scope before any thread hop.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class UsageAdvisorBenchmark {

	private Prompt prompt;

	private ChatClient bare;

	private ChatClient withUsage;

	private ChatClient withUsageEstimating;

	private ChatClient asTheStarterWiresIt;

	@Setup
	public void setUp() {
		this.prompt = new Prompt(BenchmarkTexts.twoKilobytePrompt());
		this.bare = ChatClient.builder(NoOpChatModel.reportingUsage()).build();
		TokenCounter counter = TokenCounter.create();
		this.withUsage = ChatClient.builder(NoOpChatModel.reportingUsage()).defaultAdvisors(advisor(counter)).build();
		this.withUsageEstimating = ChatClient.builder(NoOpChatModel.withoutUsage())
			.defaultAdvisors(advisor(counter))
			.build();
		this.asTheStarterWiresIt = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(new ScopeCaptureAdvisor(new ScopeResolution(ScopeResolver.fromAdvisorParams())),
					advisor(counter))
			.build();
	}

	private static UsageAdvisor advisor(TokenCounter counter) {
		UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(), List.<UsageListener>of(
				new InMemoryUsageLedger(10_000, Clock.systemUTC()), new UsageMetrics(new SimpleMeterRegistry())));
		// As the starter wires it: prompt breakdown on, system prompts tracked.
		return UsageAdvisor.builder(recorder)
			.tokenCounter(counter)
			.systemPrompts(new SystemPrompts(1000, 1000))
			.build();
	}

	@Benchmark
	public ChatResponse bareChatClient() {
		return call(this.bare);
	}

	@Benchmark
	public ChatResponse withUsageAdvisor() {
		return call(this.withUsage);
	}

	@Benchmark
	public ChatResponse withUsageAdvisorEstimating() {
		return call(this.withUsageEstimating);
	}

	@Benchmark
	public ChatResponse withScopeCaptureAndUsageAdvisor() {
		return call(this.asTheStarterWiresIt);
	}

	private ChatResponse call(ChatClient client) {
		return client.prompt(this.prompt)
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice").param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.chatResponse();
	}

}
