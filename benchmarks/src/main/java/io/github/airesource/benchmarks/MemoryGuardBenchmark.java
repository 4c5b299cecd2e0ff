package io.github.airesource.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.memory.MemoryGuardAdvisor;
import io.github.airesource.core.memory.MemoryMonitor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * What the memory guard's check costs a call: {@link MemoryGuardAdvisor#check} against a
 * started {@link MemoryMonitor} (the heap not under pressure, as on a healthy service)
 * beside a baseline that does the same work without the check (returning the request).
 * Target: at most 100 ns, since the check is one volatile read and no management call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MemoryGuardBenchmark {

	private MemoryMonitor monitor;

	private MemoryGuardAdvisor guard;

	private ChatClientRequest request;

	@Setup
	public void setUp() {
		this.monitor = MemoryMonitor.create(0.9);
		this.monitor.start();
		this.guard = MemoryGuardAdvisor.builder(this.monitor).build();
		this.request = ChatClientRequest.builder().prompt(new Prompt(List.of(new UserMessage("ping")))).build();
	}

	@TearDown
	public void tearDown() {
		this.monitor.stop();
	}

	@Benchmark
	public ChatClientRequest baseline() {
		return this.request;
	}

	@Benchmark
	public ChatClientRequest guardCheck() {
		this.guard.check(this.request);
		return this.request;
	}

}
