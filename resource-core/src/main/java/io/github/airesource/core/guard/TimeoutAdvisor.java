package io.github.airesource.core.guard;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Bounds the whole duration of a model call, streams included, and ends it with a
 * {@link CallTimeoutException} when it takes longer.
 *
 * <p>
 * It sits at {@link ResourceAdvisorOrder#TIMEOUT}, inside the usage advisor (which
 * records the timeout as an error) and every limiting advisor: the exception passes out
 * through them, so the budget reservation is settled and the rate-limit and concurrency
 * permits are released as for any failed call.
 *
 * <p>
 * Streams: the stream is cancelled when the timeout passes, counted from subscription to
 * the last element (not between elements: a stream that trickles tokens forever is what
 * the guard is for), and then fails with the exception. Cancelling a WebClient stream
 * closes its connection, so nothing stays behind.
 *
 * <p>
 * Blocking calls run the rest of the chain on another thread while the caller waits at
 * most the timeout. Interrupting the caller's own thread would cost nothing per call but
 * does not work with every HTTP client {@code RestClient} may use: the JDK
 * {@code HttpClient} aborts on interrupt, but Apache HttpClient 5 classic (what Spring
 * Boot picks when it is on the class path) and {@code HttpURLConnection} keep blocking in
 * the socket read until the read timeout. So the caller gets the exception on time
 * whatever the client; the worker is interrupted, which aborts the JDK client and a wait
 * for a pooled connection, and otherwise ends when the client's read timeout does. The
 * hand-off costs a few microseconds per call, paid only when this advisor is configured.
 * The worker runs on a virtual thread on Java 21 and later, else on a cached pool of
 * daemon threads; an application can supply its own {@link Executor}. Thread-bound state
 * (a security context, a tracing scope) does not follow the call to the worker; only the
 * model call and advisors placed after this one run there.
 */
public final class TimeoutAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.TIMEOUT;

	private final Duration timeout;

	private final Executor executor;

	private final int order;

	private TimeoutAdvisor(Builder builder) {
		this.timeout = builder.timeout;
		this.executor = (builder.executor != null) ? builder.executor : DefaultExecutor.INSTANCE;
		this.order = builder.order;
	}

	/**
	 * Return a builder for an advisor with the given timeout.
	 * @param timeout the most a call may take, positive
	 * @return the builder
	 */
	public static Builder builder(Duration timeout) {
		return new Builder(timeout);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		FutureTask<ChatClientResponse> call = new FutureTask<>(() -> chain.nextCall(request));
		this.executor.execute(call);
		try {
			return call.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			call.cancel(true);
			throw new CallTimeoutException(this.timeout);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException("The model call failed", cause);
		}
		catch (InterruptedException ex) {
			call.cancel(true);
			Thread.currentThread().interrupt();
			throw new CancellationException("Interrupted while waiting for the model call");
		}
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.defer(() -> {
			AtomicBoolean timedOut = new AtomicBoolean();
			Mono<Long> deadline = Mono.delay(this.timeout).doOnNext((tick) -> timedOut.set(true));
			// takeUntilOther cancels the model's stream at the deadline and completes;
			// the error follows so that the caller and the outer advisors see a failure.
			return chain.nextStream(request)
				.takeUntilOther(deadline)
				.concatWith(Mono
					.defer(() -> timedOut.get() ? Mono.error(new CallTimeoutException(this.timeout)) : Mono.empty()));
		});
	}

	/**
	 * Return the most a call may take.
	 * @return the timeout
	 */
	public Duration timeout() {
		return this.timeout;
	}

	@Override
	public String getName() {
		return "ai.resource.timeout";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * The executor of blocking calls unless one is given: virtual threads where the JDK
	 * has them (looked up reflectively, the library is compiled for Java 17), else a
	 * cached pool of daemon threads, which keeps no thread longer than a minute idle.
	 */
	private static final class DefaultExecutor {

		static final Executor INSTANCE = create();

		private static Executor create() {
			ExecutorService virtual = virtualThreads();
			if (virtual != null) {
				return virtual;
			}
			AtomicInteger threads = new AtomicInteger();
			ThreadFactory factory = (task) -> {
				Thread thread = new Thread(task, "ai-resource-timeout-" + threads.incrementAndGet());
				thread.setDaemon(true);
				return thread;
			};
			return Executors.newCachedThreadPool(factory);
		}

		@Nullable
		private static ExecutorService virtualThreads() {
			try {
				Method factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
				return (ExecutorService) factory.invoke(null);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				return null;
			}
		}

	}

	/**
	 * Builder for {@link TimeoutAdvisor}.
	 */
	public static final class Builder {

		private final Duration timeout;

		@Nullable
		private Executor executor;

		private int order = DEFAULT_ORDER;

		private Builder(Duration timeout) {
			Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
			this.timeout = timeout;
		}

		/**
		 * Set the executor that runs blocking calls while the caller waits.
		 * @param executor the executor; it must start each task at once (not queue it
		 * behind others), or queued time counts against the timeout
		 * @return this builder
		 */
		public Builder executor(Executor executor) {
			Assert.notNull(executor, "executor must not be null");
			this.executor = executor;
			return this;
		}

		/**
		 * Set the position in the advisor chain.
		 * @param order the order
		 * @return this builder
		 */
		public Builder order(int order) {
			this.order = order;
			return this;
		}

		public TimeoutAdvisor build() {
			return new TimeoutAdvisor(this);
		}

	}

}
