package io.github.airesource.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.github.airesource.core.ResourceContextKeys;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lettuce.core.event.command.CommandSucceededEvent;
import io.lettuce.core.protocol.RedisCommand;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Counts the Redis commands that the whole chain on Redis stores (see
 * {@link FullChainBenchmark}, {@code store=redis}) sends per call, by feature and
 * command, and whether the caller's thread sent them (each one awaited: a round trip the
 * call waits for) or another thread did (the usage write-behind). A Lettuce
 * {@link CommandListener} on the application's client sees every command as it is
 * dispatched, on the thread that dispatches it.
 *
 * <p>
 * Run with
 * {@code java -cp benchmarks.jar io.github.airesource.benchmarks.FullChainRedisRoundTrips [calls [pause-µs]]}
 * (default 2,000 calls after 500 to warm up, back to back; with a pause, that long
 * between calls, not counted in the mean), the same 16 conversations and fresh 2 KB
 * questions as {@code fullChain}; {@code -Dai.resource.…} properties change the setup as
 * for the benchmark.
 */
public final class FullChainRedisRoundTrips {

	private FullChainRedisRoundTrips() {
	}

	public static void main(String[] args) throws InterruptedException {
		int calls = (args.length > 0) ? Integer.parseInt(args[0]) : 2000;
		long pauseNanos = (args.length > 1) ? Long.parseLong(args[1]) * 1000 : 0;
		String run = UUID.randomUUID().toString().substring(0, 8);
		String prefix = "bench-fullchain-trips-" + run + ":";
		Recorder recorder = new Recorder(prefix);
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("full-chain", FullChainApplication.properties(prefix)));
		context.getBeanFactory().registerSingleton("commandRecorder", recorder);
		context.register(FullChainApplication.class, Listening.class);
		context.refresh();
		try {
			ChatClient client = context.getBean(ChatClient.Builder.class)
				.defaultAdvisors(MessageChatMemoryAdvisor.builder(context.getBean(ChatMemory.class)).build())
				.build();
			ChatOptions options = ChatOptions.builder().model(FullChainApplication.MODEL).temperature(0.0).build();
			for (int i = 0; i < 500; i++) {
				call(client, options, i, run);
			}
			awaitQuiet(recorder);
			recorder.reset(Thread.currentThread());
			long elapsed = 0;
			for (int i = 500; i < 500 + calls; i++) {
				long start = System.nanoTime();
				call(client, options, i, run);
				elapsed += System.nanoTime() - start;
				if (pauseNanos > 0) {
					// A pause between calls, as a model's latency or a user's would make:
					// what the call left running (settlement, cache store) ends
					// meanwhile.
					LockSupport.parkNanos(pauseNanos);
				}
			}
			awaitQuiet(recorder);
			recorder.print(calls);
			System.out.printf("mean time per call, the caller's view: %.1f µs%s%n", elapsed / 1000.0 / calls,
					(pauseNanos > 0) ? " (pauses of " + pauseNanos / 1000 + " µs between calls not counted)" : "");
		}
		finally {
			context.close();
			BenchmarkRedis.deleteKeys(prefix);
		}
	}

	private static void call(ChatClient client, ChatOptions options, long call, String run) {
		String conversation = "c-" + (call % FullChainBenchmark.CONVERSATIONS);
		client.prompt()
			.options(options)
			.system(FullChainBenchmark.SYSTEM)
			.user(FullChainBenchmark.question(call, run))
			.advisors((a) -> a.param(ChatMemory.CONVERSATION_ID, conversation)
				.param(ResourceContextKeys.USER, "alice")
				.param(ResourceContextKeys.TENANT, "acme"))
			.call()
			.chatResponse();
	}

	/**
	 * Wait until no command was sent for a second: the usage write-behind has written
	 * what the calls recorded.
	 */
	private static void awaitQuiet(Recorder recorder) throws InterruptedException {
		long deadline = System.nanoTime() + 30_000_000_000L;
		long seen = -1;
		while (System.nanoTime() < deadline) {
			long now = recorder.total.get();
			if (now == seen) {
				return;
			}
			seen = now;
			Thread.sleep(1000);
		}
	}

	/**
	 * Adds the recorder to the application's Lettuce client before any connection is
	 * opened: a client's listeners apply to the connections it opens afterwards.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Listening {

		@Bean
		static BeanPostProcessor commandListenerRegistrar(
				org.springframework.beans.factory.ObjectProvider<Recorder> recorder) {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String name) {
					if (bean instanceof LettuceConnectionFactory factory) {
						factory.getRequiredNativeClient().addListener(recorder.getObject());
					}
					return bean;
				}

			};
		}

	}

	/**
	 * Counts commands by thread kind, feature (the key's first segment after the prefix)
	 * and command type.
	 */
	static final class Recorder implements CommandListener {

		private final String prefix;

		private final AtomicLong total = new AtomicLong();

		private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

		private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();

		private volatile Thread caller;

		Recorder(String prefix) {
			this.prefix = prefix;
		}

		void reset(Thread caller) {
			this.caller = caller;
			this.counts.clear();
			this.nanos.clear();
		}

		@Override
		public void commandStarted(CommandStartedEvent event) {
			this.total.incrementAndGet();
			if (this.caller == null) {
				return;
			}
			String thread = (Thread.currentThread() == this.caller) ? "caller" : "other";
			String row = feature(event.getCommand()) + " " + event.getCommand().getType();
			this.counts.computeIfAbsent(thread + "\t" + row, (key) -> new LongAdder()).increment();
			event.getContext().put("row", thread + "\t" + row);
		}

		/**
		 * Add up how long each command took from its dispatch to its reply, as Lettuce
		 * sees it: Redis's own time and both trips, not the caller's wake-up.
		 */
		@Override
		public void commandSucceeded(CommandSucceededEvent event) {
			Object row = event.getContext().get("row");
			if (row != null) {
				this.nanos.computeIfAbsent((String) row, (key) -> new LongAdder())
					.add(event.getDuration(java.util.concurrent.TimeUnit.NANOSECONDS));
			}
		}

		private String feature(RedisCommand<?, ?, ?> command) {
			ByteBuffer key = (command.getArgs() != null) ? command.getArgs().getFirstEncodedKey() : null;
			if (key == null) {
				return "-";
			}
			String name = StandardCharsets.UTF_8.decode(key.duplicate()).toString();
			if (!name.startsWith(this.prefix)) {
				return "other-prefix";
			}
			String rest = name.substring(this.prefix.length());
			int end = rest.indexOf(':');
			return (end > 0) ? rest.substring(0, end) : rest;
		}

		void print(int calls) {
			Map<String, Double> perCall = new TreeMap<>();
			this.counts.forEach((row, count) -> perCall.put(row, count.sum() / (double) calls));
			double caller = 0;
			double other = 0;
			System.out.printf("%-8s %-12s %-10s %-9s %s%n", "thread", "feature", "command", "per call",
					"µs dispatch to reply");
			for (Map.Entry<String, Double> entry : perCall.entrySet()) {
				String[] parts = entry.getKey().split("[\t ]");
				LongAdder spent = this.nanos.get(entry.getKey());
				long count = this.counts.get(entry.getKey()).sum();
				double micros = (spent != null && count > 0) ? spent.sum() / 1000.0 / count : Double.NaN;
				System.out.printf("%-8s %-12s %-10s %-9.3f %.1f%n", parts[0], parts[1], parts[2], entry.getValue(),
						micros);
				if ("caller".equals(parts[0])) {
					caller += entry.getValue();
				}
				else {
					other += entry.getValue();
				}
			}
			System.out.printf("commands per call on the caller's thread: %.3f; on other threads: %.3f (%d calls)%n",
					caller, other, calls);
		}

	}

}
