package io.github.airesource.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.concurrency.ConcurrencyAdvisor;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencySnapshot;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * Throughput of the concurrency bulkhead with many callers on virtual threads: 2,000
 * callers call a model that takes 50 ms through a {@code ChatClient} whose
 * {@link ConcurrencyAdvisor} lets 100 calls run at once, so the ceiling is 100 / 0.05 s =
 * 2,000 calls per second. Target: within 10% of it (at least 1,800 calls/s), with no
 * thread leak. A plain {@code main}, not JMH: the quantity is a steady-state rate of a
 * queueing system over seconds, not the time of one operation, and JMH's harness threads
 * are platform threads.
 *
 * <p>
 * <strong>The model</strong> is a {@link ChatModel} that sleeps 50 ms and answers with
 * usage, called through a real {@code ChatClient} with scope capture, the concurrency
 * advisor (max-concurrent 100, max-queue 2,000, max-wait 60 s) and the usage advisor, as
 * the starter wires them. Not the OpenAI client against a loopback HTTP server: on the
 * two cores of the development machine, 2,000 HTTP exchanges per second with JSON
 * (de)serialization on both ends would measure the HTTP stack and the server, not the
 * bulkhead. {@code Thread.sleep} on a virtual thread parks it and frees its carrier, as a
 * blocking HTTP read does, so what limits the throughput here is the bulkhead's hand-over
 * of permits. The model also counts how many calls are inside it at once: it must reach,
 * and never exceed, max-concurrent.
 *
 * <p>
 * <strong>Virtual threads</strong> need Java 21 or later, while this module compiles with
 * release 17: they are created through {@code Thread.ofVirtual()} found by
 * {@link MethodHandles} at run time, and on an older JVM the run fails with a message
 * saying so. {@code benchmarks/virtual-thread-throughput.sh} runs it on the Temurin 25
 * JDK.
 *
 * <p>
 * <strong>Procedure</strong>: every caller calls in a loop, as its own user, until told
 * to stop. After a warm-up (default 5 s) the completed calls are counted over a steady
 * window (default 10 s). Then the callers stop, every caller thread must end within 60 s,
 * the bulkhead must show 0 active and 0 queued, and the JVM's live platform threads must
 * come back to within 4 of their number before the run (taken after a warm-up virtual
 * thread started the carrier pool; carriers the run added may stay idle for a while, so
 * the check waits up to 40 s for them to go). Settings as system properties:
 * {@code callers}, {@code maxConcurrent}, {@code latencyMs}, {@code warmupSeconds},
 * {@code measureSeconds}. Exits with status 1 when a check fails.
 */
public final class VirtualThreadThroughputBenchmark {

	private static final int PLATFORM_THREAD_MARGIN = 4;

	private VirtualThreadThroughputBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int callers = Integer.getInteger("callers", 2_000);
		int maxConcurrent = Integer.getInteger("maxConcurrent", 100);
		long latencyMs = Long.getLong("latencyMs", 50);
		long warmupSeconds = Long.getLong("warmupSeconds", 5);
		long measureSeconds = Long.getLong("measureSeconds", 10);
		ThreadFactory virtualThreads = virtualThreadFactory();
		ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();

		SleepingChatModel model = new SleepingChatModel(Duration.ofMillis(latencyMs));
		ScopeResolution resolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());
		TokenCounter counter = TokenCounter.create();
		UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
				List.<UsageListener>of(new InMemoryUsageLedger(10_000, Clock.systemUTC())));
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(maxConcurrent)
			.maxQueue(callers)
			.maxWait(Duration.ofSeconds(60))
			.build();
		ChatClient client = ChatClient.builder(model)
			.defaultAdvisors(new ScopeCaptureAdvisor(resolution),
					ConcurrencyAdvisor.builder(bulkhead)
						.scopeResolution(resolution)
						.recorder(recorder)
						.defaultModel(() -> "gpt-4o-mini")
						.build(),
					UsageAdvisor.builder(recorder).tokenCounter(counter).scopeResolution(resolution).build())
			.build();
		Prompt prompt = new Prompt(BenchmarkTexts.twoKilobytePrompt());

		// Start the virtual-thread scheduler's carriers before counting platform threads.
		Thread first = virtualThreads.newThread(() -> client.prompt(prompt).call().chatResponse());
		first.start();
		first.join();
		int platformBefore = threadBean.getThreadCount();

		System.out.printf(Locale.ROOT,
				"Java %s (%s), %d processors; %d callers on virtual threads, max-concurrent %d, model latency %d ms, "
						+ "ceiling %.0f calls/s%n",
				System.getProperty("java.version"), System.getProperty("java.vm.name"),
				Runtime.getRuntime().availableProcessors(), callers, maxConcurrent, latencyMs,
				maxConcurrent * 1000.0 / latencyMs);

		LongAdder completed = new LongAdder();
		LongAdder failed = new LongAdder();
		AtomicReference<Throwable> firstFailure = new AtomicReference<>();
		AtomicInteger running = new AtomicInteger();
		stopped = false;
		List<Thread> threads = new ArrayList<>(callers);
		for (int i = 0; i < callers; i++) {
			String user = "user-" + i;
			Thread thread = virtualThreads.newThread(() -> {
				running.incrementAndGet();
				try {
					while (!stopped) {
						try {
							client.prompt(prompt)
								.advisors((a) -> a.param(ResourceContextKeys.USER, user)
									.param(ResourceContextKeys.TENANT, "acme"))
								.call()
								.chatResponse();
							completed.increment();
						}
						catch (RuntimeException ex) {
							failed.increment();
							firstFailure.compareAndSet(null, ex);
						}
					}
				}
				finally {
					running.decrementAndGet();
				}
			});
			threads.add(thread);
		}
		long started = System.nanoTime();
		for (Thread thread : threads) {
			thread.start();
		}
		TimeUnit.SECONDS.sleep(warmupSeconds);
		int platformDuring = threadBean.getThreadCount();
		long from = completed.sum();
		long fromNanos = System.nanoTime();
		model.resetMaxInFlight();
		TimeUnit.SECONDS.sleep(measureSeconds);
		long to = completed.sum();
		long toNanos = System.nanoTime();
		int maxInFlight = model.maxInFlight();
		stopped = true;

		long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		int stillAlive = 0;
		for (Thread thread : threads) {
			long left = joinDeadline - System.nanoTime();
			if (left > 0) {
				thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
			}
			if (thread.isAlive()) {
				stillAlive++;
			}
		}
		long endedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - toNanos);
		ConcurrencySnapshot snapshot = bulkhead.snapshot();
		int platformAfter = threadBean.getThreadCount();
		long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
		while (Math.abs(platformAfter - platformBefore) > PLATFORM_THREAD_MARGIN
				&& System.nanoTime() < settleDeadline) {
			TimeUnit.MILLISECONDS.sleep(500);
			platformAfter = threadBean.getThreadCount();
		}

		double seconds = (toNanos - fromNanos) / 1e9;
		double throughput = (to - from) / seconds;
		double ceiling = maxConcurrent * 1000.0 / latencyMs;
		boolean throughputOk = throughput >= 0.9 * ceiling;
		boolean concurrencyOk = maxInFlight == maxConcurrent;
		boolean callersEnded = stillAlive == 0 && running.get() == 0;
		boolean bulkheadEmpty = snapshot.active() == 0 && snapshot.queued().total() == 0;
		boolean platformOk = Math.abs(platformAfter - platformBefore) <= PLATFORM_THREAD_MARGIN;
		boolean noFailures = failed.sum() == 0;

		System.out.printf(Locale.ROOT,
				"warm-up %d s, then %d calls in %.3f s: %.1f calls/s = %.3f of the ceiling " + "(target >= 0.900) %s%n",
				warmupSeconds, to - from, seconds, throughput, throughput / ceiling, verdict(throughputOk));
		System.out.printf(Locale.ROOT, "most calls inside the model at once: %d (max-concurrent %d) %s%n", maxInFlight,
				maxConcurrent, verdict(concurrencyOk));
		System.out.printf(Locale.ROOT, "calls failed: %d%s %s%n", failed.sum(),
				(firstFailure.get() != null) ? " (first: " + firstFailure.get() + ")" : "", verdict(noFailures));
		System.out.printf(Locale.ROOT, "callers still alive after stop: %d of %d (all ended %d ms after stop) %s%n",
				stillAlive, callers, endedAfterMs, verdict(callersEnded));
		System.out.printf(Locale.ROOT,
				"bulkhead after the run: %d active, %d queued, %d available of %d, " + "%d rejected %s%n",
				snapshot.active(), snapshot.queued().total(), snapshot.available(), snapshot.max(),
				snapshot.rejections().total(), verdict(bulkheadEmpty));
		System.out.printf(Locale.ROOT, "live platform threads: %d before, %d during, %d after (margin %d) %s%n",
				platformBefore, platformDuring, platformAfter, PLATFORM_THREAD_MARGIN, verdict(platformOk));
		System.out.printf(Locale.ROOT, "total run %.1f s%n", (System.nanoTime() - started) / 1e9);
		if (!(throughputOk && concurrencyOk && callersEnded && bulkheadEmpty && platformOk && noFailures)) {
			System.exit(1);
		}
	}

	private static volatile boolean stopped;

	private static String verdict(boolean ok) {
		return ok ? "OK" : "FAILED";
	}

	/**
	 * Return a factory of virtual threads, {@code Thread.ofVirtual().name("caller-",
	 * 0).factory()}, found at run time so that this class compiles with release 17.
	 */
	private static ThreadFactory virtualThreadFactory() {
		try {
			MethodHandles.Lookup lookup = MethodHandles.publicLookup();
			Class<?> builder = Class.forName("java.lang.Thread$Builder$OfVirtual");
			MethodHandle ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(builder));
			MethodHandle name = lookup.findVirtual(builder, "name",
					MethodType.methodType(builder, String.class, long.class));
			MethodHandle factory = lookup.findVirtual(Class.forName("java.lang.Thread$Builder"), "factory",
					MethodType.methodType(ThreadFactory.class));
			Object named = name.invoke(ofVirtual.invoke(), "caller-", 0L);
			return (ThreadFactory) factory.invoke(named);
		}
		catch (ClassNotFoundException | NoSuchMethodException ex) {
			System.err.println("Virtual threads need Java 21 or later; this JVM is Java "
					+ System.getProperty("java.version") + ". Run benchmarks/virtual-thread-throughput.sh, which "
					+ "uses the Temurin 25 JDK, or set JAVA_HOME to a JDK 21+.");
			System.exit(2);
			throw new IllegalStateException(ex);
		}
		catch (Throwable ex) {
			throw new IllegalStateException("Could not create a virtual thread factory", ex);
		}
	}

	/**
	 * A model that takes a fixed time to answer, parked, and reports usage; it counts the
	 * calls inside it at once.
	 */
	static final class SleepingChatModel implements ChatModel {

		private final long latencyNanos;

		private final ChatResponse response = new ChatResponse(
				List.of(new Generation(new AssistantMessage("Your order ships today."))),
				ChatResponseMetadata.builder().model("gpt-4o-mini-2024-07-18").usage(new DefaultUsage(520, 6)).build());

		private final AtomicInteger inFlight = new AtomicInteger();

		private final AtomicInteger maxInFlight = new AtomicInteger();

		SleepingChatModel(Duration latency) {
			this.latencyNanos = latency.toNanos();
		}

		@Override
		public ChatResponse call(Prompt prompt) {
			int now = this.inFlight.incrementAndGet();
			this.maxInFlight.accumulateAndGet(now, Math::max);
			try {
				TimeUnit.NANOSECONDS.sleep(this.latencyNanos);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted", ex);
			}
			finally {
				this.inFlight.decrementAndGet();
			}
			return this.response;
		}

		@Override
		public ChatOptions getDefaultOptions() {
			return ChatOptions.builder().model("gpt-4o-mini").build();
		}

		int maxInFlight() {
			return this.maxInFlight.get();
		}

		void resetMaxInFlight() {
			this.maxInFlight.set(this.inFlight.get());
		}

	}

}
