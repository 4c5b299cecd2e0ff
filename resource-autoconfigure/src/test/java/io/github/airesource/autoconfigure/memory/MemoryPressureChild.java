package io.github.airesource.autoconfigure.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.airesource.actuate.memory.MemoryHealthIndicator;
import io.github.airesource.core.memory.MemoryGuardAdvisor;
import io.github.airesource.core.memory.MemoryMonitor;
import io.github.airesource.core.memory.MemoryPressureException;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * Run by {@link MemoryPressureForkedJvmTests} in a child JVM with a small heap: wires a
 * {@link MemoryMonitor}, a {@link MemoryGuardAdvisor} in a {@link ChatClient} over a
 * no-op model and the {@code aimemory} health, retains memory until the old generation is
 * over the threshold after a collection, checks that calls are refused and health is
 * OUT_OF_SERVICE, releases the memory and checks recovery. Prints one line per result,
 * which the parent asserts on; exits 0 only when every check held.
 */
public final class MemoryPressureChild {

	private static final int CHUNK = 64 * 1024;

	private MemoryPressureChild() {
	}

	public static void main(String[] args) throws Exception {
		double threshold = Double.parseDouble(args[0]);
		MemoryMonitor monitor = MemoryMonitor.create(threshold);
		CountDownLatch pressured = new CountDownLatch(1);
		CountDownLatch recovered = new CountDownLatch(1);
		monitor.addListener((snapshot) -> (snapshot.underPressure() ? pressured : recovered).countDown());
		monitor.start();
		MemoryGuardAdvisor guard = MemoryGuardAdvisor.builder(monitor).build();
		MemoryHealthIndicator health = new MemoryHealthIndicator(monitor, guard);
		ChatClient client = ChatClient.builder(new NoOpChatModel()).defaultAdvisors(guard).build();
		System.out.println("pools=" + monitor.watchedPools());
		System.out.println("before.call=" + call(client));
		System.out.println("before.health=" + health.health().getStatus());

		// Retain memory until a collection leaves the watched pools over the threshold;
		// bounded so that a monitor that never fires ends the run instead of the heap.
		List<byte[]> retained = new ArrayList<>();
		long target = (long) (monitor.snapshot().watchedMaxBytes() * threshold);
		long bound = (long) (Runtime.getRuntime().maxMemory() * 0.85);
		long held = 0;
		while (held < target + 4 * 1024 * 1024 && held < bound) {
			retained.add(new byte[CHUNK]);
			held += CHUNK;
		}
		boolean underPressure = false;
		for (int i = 0; i < 40 && !underPressure; i++) {
			// Generational collectors promote survivors over a few collections.
			System.gc();
			underPressure = pressured.await(250, TimeUnit.MILLISECONDS);
		}
		System.out.println("retained.bytes=" + held);
		System.out.println("pressure.flag=" + monitor.underPressure());
		System.out.println("pressure.fraction=" + monitor.heapUsageAfterGc());
		System.out.println("pressure.call=" + call(client));
		System.out.println("pressure.stream=" + stream(client));
		System.out.println("pressure.health=" + health.health().getStatus());
		System.out.println("pressure.rejected=" + guard.rejections());

		retained.clear();
		retained = null;
		boolean clear = false;
		for (int i = 0; i < 40 && !clear; i++) {
			System.gc();
			clear = recovered.await(250, TimeUnit.MILLISECONDS);
		}
		System.out.println("recovered.flag=" + !monitor.underPressure());
		System.out.println("recovered.call=" + call(client));
		System.out.println("recovered.stream=" + stream(client));
		System.out.println("recovered.health=" + health.health().getStatus());
		monitor.stop();
		System.out.println("done");
	}

	private static String call(ChatClient client) {
		try {
			return client.prompt().user("ping").call().content();
		}
		catch (MemoryPressureException ex) {
			return "MemoryPressureException:" + ex.limitName();
		}
	}

	private static String stream(ChatClient client) {
		try {
			return String.join("", client.prompt().user("ping").stream().content().collectList().block());
		}
		catch (MemoryPressureException ex) {
			return "MemoryPressureException:" + ex.limitName();
		}
	}

	/**
	 * Answers every prompt with "pong".
	 */
	static final class NoOpChatModel implements ChatModel {

		@Override
		public ChatResponse call(Prompt prompt) {
			return new ChatResponse(List.of(new Generation(new AssistantMessage("pong"))));
		}

		@Override
		public Flux<ChatResponse> stream(Prompt prompt) {
			return Flux.just(call(prompt));
		}

	}

}
