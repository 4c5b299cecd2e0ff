package io.github.airesource.core.concurrency;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

import io.github.airesource.core.HeldResources;
import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecorder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Holds a {@link ConcurrencyBulkhead} permit for each call while it runs, so that at most
 * {@code max-concurrent} calls reach the model at once; the others wait in the bulkhead's
 * queue, by the priority of the advisor parameter {@value ResourceContextKeys#PRIORITY},
 * or are refused with a {@link ConcurrencyLimitExceededException}.
 *
 * <p>
 * A blocking call waits on its own thread (platform or virtual) and gives the permit back
 * when it returns or throws. A stream never blocks a thread: it subscribes to the model
 * once a permit is handed to it, and holds the permit until it completes, fails or is
 * cancelled; cancelled while it waits, it leaves the queue. A refused call is recorded
 * with the outcome {@code rejected} (the usage advisor sits inside this one and never
 * sees it); one cancelled or interrupted while it waits, with {@code cancelled}.
 */
public final class ConcurrencyAdvisor implements ResourceAdvisor, HeldResources {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.CONCURRENCY;

	private final ConcurrencyBulkhead bulkhead;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final int order;

	private ConcurrencyAdvisor(Builder builder) {
		this.bulkhead = builder.bulkhead;
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.order = builder.order;
	}

	public static Builder builder(ConcurrencyBulkhead bulkhead) {
		return new Builder(bulkhead);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		ConcurrencyPermit permit = enter(request);
		try {
			permit.await();
		}
		catch (ConcurrencyLimitExceededException ex) {
			record(request, CallOutcome.REJECTED);
			throw ex;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			record(request, CallOutcome.CANCELLED);
			throw new CancellationException("Interrupted while waiting for a concurrency permit");
		}
		try {
			return chain.nextCall(request);
		}
		finally {
			permit.close();
		}
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.defer(() -> {
			ConcurrencyPermit permit = enter(request);
			return admitted(request, permit).thenMany(Flux.defer(() -> chain.nextStream(request)))
				.doFinally((signal) -> {
					if (permit.leave() && signal == SignalType.CANCEL) {
						record(request, CallOutcome.CANCELLED);
					}
				});
		});
	}

	/**
	 * Return the bulkhead whose permits this advisor holds.
	 * @return the bulkhead
	 */
	public ConcurrencyBulkhead bulkhead() {
		return this.bulkhead;
	}

	private ConcurrencyPermit enter(ChatClientRequest request) {
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		ConcurrencyPriority priority = ConcurrencyPriority.of(request.context().get(ResourceContextKeys.PRIORITY));
		try {
			return this.bulkhead.enter(priority, scope);
		}
		catch (ConcurrencyLimitExceededException ex) {
			record(request, CallOutcome.REJECTED);
			throw ex;
		}
	}

	/**
	 * Complete once the stream's permit is handed over, on a worker thread: the permit
	 * comes on the thread that gave one back, which may be the model client's event loop,
	 * and the rest of the chain must not run there. Fail with the refusal when none comes
	 * within max-wait.
	 */
	private Mono<ConcurrencyPermit> admitted(ChatClientRequest request, ConcurrencyPermit permit) {
		if (permit.isAdmitted()) {
			return Mono.just(permit);
		}
		return Mono.<ConcurrencyPermit>create((sink) -> permit.onAdmitted(() -> sink.success(permit)))
			.timeout(this.bulkhead.remainingWait(permit), Mono.defer(() -> {
				ConcurrencyLimitExceededException refused = permit.expire();
				if (refused == null) {
					// Admitted as the wait ran out: it may go on.
					return Mono.just(permit);
				}
				record(request, CallOutcome.REJECTED);
				return Mono.error(refused);
			}))
			.publishOn(Schedulers.boundedElastic());
	}

	private void record(ChatClientRequest request, CallOutcome outcome) {
		if (this.recorder != null) {
			this.recorder.recordUnserved(RequestModels.modelOf(request, this.defaultModel), outcome,
					CallScopes.of(request, this.scopeResolution));
		}
	}

	@Override
	public String getName() {
		return "ai.resource.concurrency";
	}

	@Override
	public Map<String, Long> held() {
		ConcurrencySnapshot snapshot = this.bulkhead.snapshot();
		return Map.of("concurrency.permits", (long) snapshot.active(), "concurrency.waiting",
				(long) snapshot.queued().total());
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * Builder for {@link ConcurrencyAdvisor}.
	 */
	public static final class Builder {

		private final ConcurrencyBulkhead bulkhead;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private int order = DEFAULT_ORDER;

		private Builder(ConcurrencyBulkhead bulkhead) {
			Assert.notNull(bulkhead, "bulkhead must not be null");
			this.bulkhead = bulkhead;
		}

		/**
		 * Set how calls are attributed to users and tenants, whose caps apply.
		 * @param scopeResolution the resolution
		 * @return this builder
		 */
		public Builder scopeResolution(ScopeResolution scopeResolution) {
			Assert.notNull(scopeResolution, "scopeResolution must not be null");
			this.scopeResolution = scopeResolution;
			return this;
		}

		/**
		 * Set the recorder that counts refused and cancelled calls.
		 * @param recorder the recorder, may be {@code null}
		 * @return this builder
		 */
		public Builder recorder(@Nullable UsageRecorder recorder) {
			this.recorder = recorder;
			return this;
		}

		/**
		 * Set the model recorded for refused calls whose options name none.
		 * @param defaultModel supplies the model name, may supply {@code null}
		 * @return this builder
		 */
		public Builder defaultModel(Supplier<String> defaultModel) {
			Assert.notNull(defaultModel, "defaultModel must not be null");
			this.defaultModel = defaultModel;
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

		public ConcurrencyAdvisor build() {
			return new ConcurrencyAdvisor(this);
		}

	}

}
