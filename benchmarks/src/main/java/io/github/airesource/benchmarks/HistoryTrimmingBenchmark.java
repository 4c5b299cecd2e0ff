package io.github.airesource.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.history.HistoryAdvisor;
import io.github.airesource.core.tokens.PromptTokens;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;
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

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * Trimming a 200-message conversation whose messages were counted before (issue 9: at
 * most 20 µs per call), in the steady state between two cuts: the conversation's cut is
 * remembered, the prompt is over the limit without it, and the advisor drops the same old
 * turns as on the previous call.
 *
 * <ul>
 * <li>{@code countOnly}: the baseline, the call's count alone ({@link RequestTokens}
 * through the memo), which the first advisor that needs it pays once per call.</li>
 * <li>{@code trim}: the history advisor on a fresh request: the count through the memo,
 * finding the cut, and building the trimmed prompt and its derived count.</li>
 * <li>{@code trimReusingCount}: the same with the call's count already in the request
 * context, as when another advisor counted first: the trimming's own work.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HistoryTrimmingBenchmark {

	private static final String MODEL = "gpt-4o";

	private final TokenCounter counter = TokenCounter.create();

	private HistoryAdvisor advisor;

	private Prompt prompt;

	private PromptTokens counted;

	private Map<String, Object> context;

	@Setup
	public void setUp() {
		// A system message, 198 messages of history (questions and answers) and the new
		// question: 200 messages.
		List<Message> messages = new ArrayList<>(BenchmarkTexts.conversation(199));
		messages.add(new UserMessage("And what about the next step? " + BenchmarkTexts.text(120, 3)));
		this.prompt = new Prompt(messages, ChatOptions.builder().model(MODEL).build());
		this.counted = this.counter.countPrompt(this.prompt, MODEL);
		this.context = Map.of(ChatMemory.CONVERSATION_ID, "bench");
		this.advisor = HistoryAdvisor.builder(this.counted.total() / 3).tokenCounter(this.counter).build();
		// The first call over the limit makes the cut; the benchmark measures the calls
		// after it.
		this.advisor.trim(request());
	}

	private ChatClientRequest request() {
		return new ChatClientRequest(this.prompt, new HashMap<>(this.context));
	}

	@Benchmark
	public PromptTokens countOnly() {
		return RequestTokens.of(request(), this.counter, MODEL);
	}

	@Benchmark
	public ChatClientRequest trim() {
		return this.advisor.trim(request());
	}

	@Benchmark
	public ChatClientRequest trimReusingCount() {
		ChatClientRequest request = request();
		request.context().put(ResourceContextKeys.PROMPT_TOKENS, this.counted);
		return this.advisor.trim(request);
	}

}
