package io.github.airesource.core.memory;

import java.time.Instant;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.RejectionCounter;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecorder;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Refuses new calls with a {@link MemoryPressureException} while the heap is under
 * pressure ({@link MemoryPressure#underPressure()}, kept by a {@link MemoryMonitor} from
 * the JVM's collection notifications). The check is one volatile read; a call that passed
 * it runs to its end even if pressure starts meanwhile, so work already paid for is not
 * thrown away and its memory is freed the ordinary way, when it finishes.
 *
 * <p>
 * It sits at {@link ResourceAdvisorOrder#MEMORY_GUARD}, the outermost resource advisor
 * after scope capture: a refused call counts no tokens, takes no permit, reserves no
 * budget and allocates as little as possible. Refused calls are recorded through the
 * {@link UsageRecorder} with the outcome {@code rejected}, as the other limits do.
 */
public final class MemoryGuardAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.MEMORY_GUARD;

	private final MemoryPressure pressure;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final int order;

	private final RejectionCounter rejections = new RejectionCounter();

	private MemoryGuardAdvisor(Builder builder) {
		this.pressure = builder.pressure;
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.order = builder.order;
	}

	/**
	 * Start a builder.
	 * @param pressure tells whether the heap is under pressure, usually a started
	 * {@link MemoryMonitor}
	 * @return the builder
	 */
	public static Builder builder(MemoryPressure pressure) {
		return new Builder(pressure);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		check(request);
		return chain.nextCall(request);
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.defer(() -> {
			check(request);
			return chain.nextStream(request);
		});
	}

	/**
	 * Refuse the call when the heap is under pressure.
	 * @param request the call
	 * @throws MemoryPressureException when under pressure
	 */
	public void check(ChatClientRequest request) {
		if (this.pressure.underPressure()) {
			reject(request);
		}
	}

	private void reject(ChatClientRequest request) {
		this.rejections.increment();
		if (this.recorder != null) {
			this.recorder.recordUnserved(RequestModels.modelOf(request, this.defaultModel), CallOutcome.REJECTED,
					CallScopes.of(request, this.scopeResolution));
		}
		throw new MemoryPressureException(this.pressure.heapUsageAfterGc(), this.pressure.maxHeapUsage());
	}

	/**
	 * Return how many calls were refused since start.
	 * @return the count
	 */
	public long rejections() {
		return this.rejections.count();
	}

	/**
	 * Return when a call was last refused.
	 * @return the time, or {@code null} when none was
	 */
	@Nullable
	public Instant lastRejection() {
		return this.rejections.last();
	}

	@Override
	public String getName() {
		return "ai.resource.memory-guard";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * Builder for {@link MemoryGuardAdvisor}.
	 */
	public static final class Builder {

		private final MemoryPressure pressure;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private int order = DEFAULT_ORDER;

		private Builder(MemoryPressure pressure) {
			Assert.notNull(pressure, "pressure must not be null");
			this.pressure = pressure;
		}

		/**
		 * Set how refused calls are attributed to scope keys.
		 * @param scopeResolution the resolution
		 * @return this builder
		 */
		public Builder scopeResolution(ScopeResolution scopeResolution) {
			Assert.notNull(scopeResolution, "scopeResolution must not be null");
			this.scopeResolution = scopeResolution;
			return this;
		}

		/**
		 * Set the recorder that counts refused calls ({@code outcome=rejected}).
		 * @param recorder the recorder, may be {@code null}
		 * @return this builder
		 */
		public Builder recorder(@Nullable UsageRecorder recorder) {
			this.recorder = recorder;
			return this;
		}

		/**
		 * Set the model of calls whose options name none, such as the chat model's
		 * default.
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

		public MemoryGuardAdvisor build() {
			return new MemoryGuardAdvisor(this);
		}

	}

}
