package io.github.airesource.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CachePartition;
import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.InMemoryResponseCacheStore;
import io.github.airesource.core.cache.RequestFingerprint;
import io.github.airesource.core.cache.ResponseCacheAdvisor;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * What an exact hit of the in-memory response cache costs, for a 2 KB prompt, against a
 * bare {@code ChatClient} on a no-op model in the same run. Target: at most 10 µs added,
 * the key's canonical form and SHA-256 included.
 *
 * <ul>
 * <li>{@code bare}: a {@code ChatClient} without advisors calling the no-op model.</li>
 * <li>{@code exactHit}: the starter's chain with the cache on (scope capture, the
 * response cache, the usage advisor behind it); every call is a hit, recorded in an
 * in-memory ledger, so the usage advisor and the model are never reached.</li>
 * <li>{@code keyOnly}: the request's exact key alone (canonical options, SHA-256 over the
 * 2 KB of messages).</li>
 * </ul>
 *
 * <p>
 * Added per hit: {@code exactHit - bare}. {@link #main} reports the heap an entry takes,
 * relative to the size of the answer it holds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class ResponseCacheBenchmark {

	private Prompt prompt;

	private ChatClient bare;

	private ChatClient cached;

	private InMemoryResponseCacheStore store;

	private final RequestFingerprint fingerprint = new RequestFingerprint();

	private final CachePartition partition = new CachePartition("acme", CachePartition.ANY_USER, "");

	@Setup(Level.Trial)
	public void setUp() {
		ChatOptions options = ChatOptions.builder().model("gpt-4o-mini").temperature(0.0).build();
		this.prompt = new Prompt(BenchmarkTexts.twoKilobytePrompt(), options);
		ScopeResolution resolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());
		UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
				List.<UsageListener>of(new InMemoryUsageLedger(10_000, Clock.systemUTC())));
		this.store = new InMemoryResponseCacheStore(10_000, 64L << 20);
		ResponseCacheAdvisor cache = ResponseCacheAdvisor.builder(this.store)
			.fingerprint(this.fingerprint)
			.scopeResolution(resolution)
			.recorder(recorder)
			.build();
		UsageAdvisor usage = UsageAdvisor.builder(recorder).scopeResolution(resolution).build();
		this.bare = ChatClient.builder(NoOpChatModel.reportingUsage()).build();
		this.cached = ChatClient.builder(NoOpChatModel.reportingUsage())
			.defaultAdvisors(new ScopeCaptureAdvisor(resolution), cache, usage)
			.build();
		// The first call is the miss that fills the entry.
		call(this.cached);
	}

	@TearDown(Level.Trial)
	public void check() {
		var statistics = this.store.statistics().snapshot();
		if (statistics.misses() != 1 || statistics.bypasses() != 0) {
			throw new IllegalStateException("Expected the one miss of the set-up and only hits, got " + statistics);
		}
	}

	@Benchmark
	public ChatResponse bare() {
		return call(this.bare);
	}

	@Benchmark
	public ChatResponse exactHit() {
		return call(this.cached);
	}

	@Benchmark
	public String keyOnly() {
		return this.fingerprint.exactKey(this.prompt, Map.of(), "gpt-4o-mini", this.partition);
	}

	private ChatResponse call(ChatClient client) {
		return client.prompt(this.prompt)
			.advisors((a) -> a.param(ResourceContextKeys.USER, "alice").param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.chatResponse();
	}

	/**
	 * Measure the heap a cached entry takes: fill an in-memory store with {@code entries}
	 * answers of {@code chars} ASCII characters each (distinct texts, 64 hex-digit keys,
	 * as the advisor stores them), and compare the heap used after a full GC before and
	 * after. Run with
	 * {@code java -cp benchmarks/target/benchmarks.jar io.github.airesource.benchmarks.ResponseCacheBenchmark [entries] [chars]}.
	 * @param args entries and characters per answer, default 20000 and 1000
	 */
	public static void main(String[] args) {
		int entries = (args.length > 0) ? Integer.parseInt(args[0]) : 20_000;
		int chars = (args.length > 1) ? Integer.parseInt(args[1]) : 1000;
		for (int size : (args.length > 1) ? new int[] { chars } : new int[] { 100, 1000, 4000 }) {
			measure(entries, size);
		}
	}

	private static void measure(int entries, int chars) {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		HexFormat hex = HexFormat.of();
		long before = usedAfterGc(memory);
		// Bounds no run reaches: every entry stays.
		InMemoryResponseCacheStore store = new InMemoryResponseCacheStore(entries, Long.MAX_VALUE / entries);
		for (int i = 0; i < entries; i++) {
			String prefix = i + " ";
			String text = prefix + BenchmarkTexts.text(chars, i).substring(0, chars - prefix.length());
			ChatResponse response = new ChatResponse(
					List.of(new Generation(new AssistantMessage(text),
							ChatGenerationMetadata.builder().finishReason("STOP").build())),
					ChatResponseMetadata.builder().id("chatcmpl-" + i).model("gpt-4o-mini-2024-07-18").build());
			byte[] digest = new byte[32];
			for (int b = 0; b < 32; b++) {
				digest[b] = (byte) (i >>> (8 * (b % 4)) ^ b);
			}
			// A tenant string of its own per entry, as each request brings one.
			store.put(new String("acme"), hex.formatHex(digest),
					CachedResponse.of(response, null, System.currentTimeMillis()), Duration.ofHours(1));
		}
		long after = usedAfterGc(memory);
		if (store.size() != entries) {
			throw new IllegalStateException("Entries were evicted: " + store.size() + " of " + entries);
		}
		long perEntry = (after - before) / entries;
		System.out.printf(
				"answer of %5d chars: %6d bytes of heap per entry (%.2fx the answer's UTF-8 size); "
						+ "the byte bound counts it as %d bytes%n",
				chars, perEntry, (double) perEntry / chars, store.estimatedBytes() / entries);
		Reference.reachabilityFence(store);
	}

	private static long usedAfterGc(MemoryMXBean memory) {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			System.gc();
			used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
		}
		return used;
	}

}
