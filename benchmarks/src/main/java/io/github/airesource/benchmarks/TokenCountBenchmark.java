package io.github.airesource.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.tokens.PromptTokens;
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

import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * Counting prompts with and without the memo.
 *
 * <ul>
 * <li>{@code conversationCold}: a 50-message conversation (about 20 KB) counted with no
 * memo, as if never seen.</li>
 * <li>{@code conversationWarm}: the same 49 messages, counted before, plus one new
 * question never seen before, as on every turn of a chat with memory.</li>
 * <li>{@code twoKilobytePromptCold}: the one-time count of a 2 KB prompt never seen
 * before, reported beside the usage advisor's own cost.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenCountBenchmark {

	private final TokenCounter cold = TokenCounter.builder().memoSize(0).build();

	private final TokenCounter memoized = TokenCounter.create();

	private List<Message> history;

	private Prompt conversation;

	private Prompt twoKilobytes;

	private long turn;

	@Setup
	public void setUp() {
		this.history = BenchmarkTexts.conversation(49);
		List<Message> full = new ArrayList<>(this.history);
		full.add(new UserMessage(BenchmarkTexts.text(200, 99)));
		this.conversation = new Prompt(full);
		this.twoKilobytes = new Prompt(BenchmarkTexts.twoKilobytePrompt());
		this.memoized.countPrompt(new Prompt(this.history), "gpt-4o");
	}

	@Benchmark
	public PromptTokens conversationCold() {
		return this.cold.countPrompt(this.conversation, "gpt-4o");
	}

	@Benchmark
	public PromptTokens conversationWarm() {
		List<Message> next = new ArrayList<>(this.history);
		// A question never seen before: the memo can only help with the history.
		next.add(new UserMessage("Turn " + (this.turn++) + ": " + BenchmarkTexts.text(190, 99)));
		return this.memoized.countPrompt(new Prompt(next), "gpt-4o");
	}

	@Benchmark
	public PromptTokens twoKilobytePromptCold() {
		return this.cold.countPrompt(this.twoKilobytes, "gpt-4o");
	}

}
