package io.github.airesource.core.usage;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeCaptureAdvisor;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.tokens.PromptTokens;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Records the tokens, cost, latency and outcome of every call that reaches the model, and
 * puts the {@link UsageRecord} into the response context under
 * {@value ResourceContextKeys#USAGE}.
 *
 * <p>
 * Figures come from the provider's usage, with cached-prompt and reasoning details where
 * the provider reports them. When it reports none (stream usage off, a provider without
 * usage) the prompt and the produced text are counted with the {@link TokenCounter} and
 * the record is flagged as estimated. A model-side tool loop is one call with cumulative
 * usage, recorded once.
 *
 * <p>
 * Streams: the record is made when the stream completes, fails or is cancelled; a stream
 * that fails or is cancelled after the provider started answering is billed for its
 * prompt and the text produced so far. The last element carries the record in its
 * context. So that it can, an element without output (such as OpenAI's role chunk, its
 * finish chunk and its trailing usage chunk) is held until the next element arrives and
 * then passed on first, so the order is unchanged; every element with output (text or
 * tool calls) is passed on at once, so the first token reaches the caller as early as
 * without this advisor. When the stream completes, the held element gets the record; if
 * none is held (the last element had output), one extra element follows: a
 * {@link ChatResponse} without generations, with the metadata of the last element that
 * had any and the context of the last element plus the record. {@code content()} skips
 * it, as it skips every element without text. When the stream fails, the held element is
 * passed on before the error.
 *
 * <p>
 * Prompt economy: each record breaks its prompt tokens down by part ({@link PromptParts}:
 * system prompt, history, new user message, tool definitions, tool results) from the
 * call's per-message count, scaled to the provider's prompt total when it reports one,
 * and each system message is handed to {@link SystemPrompts} with its tokens.
 */
public final class UsageAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.USAGE;

	/** The model name recorded when neither the response nor the request names one. */
	public static final String UNKNOWN_MODEL = RequestModels.UNKNOWN_MODEL;

	private static final Log logger = LogFactory.getLog(UsageAdvisor.class);

	private final UsageRecorder recorder;

	private final TokenCounter tokenCounter;

	private final ScopeResolution scopeResolution;

	private final Supplier<String> defaultModel;

	private final boolean promptBreakdown;

	@Nullable
	private final SystemPrompts systemPrompts;

	private final int order;

	private UsageAdvisor(Builder builder) {
		this.promptBreakdown = builder.promptBreakdown;
		this.systemPrompts = builder.systemPrompts;
		this.recorder = builder.recorder;
		this.tokenCounter = builder.tokenCounter;
		this.scopeResolution = builder.scopeResolution;
		this.defaultModel = builder.defaultModel;
		this.order = builder.order;
	}

	public static Builder builder(UsageRecorder recorder) {
		return new Builder(recorder);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		long start = System.nanoTime();
		ChatClientResponse response;
		try {
			response = chain.nextCall(request);
		}
		catch (RuntimeException ex) {
			record(request, TokenUsage.none(modelOf(request, null)), elapsed(start), outcomeOf(ex), scope);
			throw ex;
		}
		ChatResponse chatResponse = response.chatResponse();
		String model = modelOf(request, ProviderUsage.modelOf(chatResponse));
		TokenUsage usage = ProviderUsage.of(chatResponse, model);
		if (usage == null) {
			StringBuilder output = new StringBuilder();
			ProviderUsage.appendOutput(chatResponse, output);
			usage = estimate(request, model, output.toString());
		}
		usage = withPromptParts(request, usage);
		UsageRecord record = record(request, usage, elapsed(start), CallOutcome.SUCCESS, scope);
		return withUsage(response, record);
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		// Resolve on the subscribing thread: without a scope capture advisor before
		// this one, that is the closest to the caller's thread that can be had.
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		return Flux.defer(() -> {
			long start = System.nanoTime();
			StreamUsageTracker tracker = new StreamUsageTracker();
			HeldElement held = new HeldElement();
			// One element in can mean two out (the held one, then one with output), and
			// a prefetch of one keeps the demand on the model's stream as the caller's.
			return chain.nextStream(request).concatMapIterable((response) -> {
				tracker.observe(response);
				return held.next(response);
			}, 1).concatWith(Mono.fromSupplier(() -> {
				UsageRecord record = finish(tracker, request, scope, start, CallOutcome.SUCCESS);
				return held.last(request, record);
			})).onErrorResume((ex) -> {
				finish(tracker, request, scope, start, outcomeOf(ex));
				ChatClientResponse last = held.release();
				return (last != null) ? Flux.just(last).concatWith(Flux.error(ex)) : Flux.error(ex);
			}).doFinally((signal) -> {
				if (signal == SignalType.CANCEL) {
					finish(tracker, request, scope, start, CallOutcome.CANCELLED);
				}
			});
		});
	}

	@Nullable
	private UsageRecord finish(StreamUsageTracker tracker, ChatClientRequest request, CallScope scope, long start,
			CallOutcome outcome) {
		if (!tracker.claim()) {
			return null;
		}
		String model = modelOf(request, tracker.model());
		TokenUsage usage = tracker.providerUsage(model);
		if (usage == null) {
			usage = tracker.started() ? estimate(request, model, tracker.output()) : TokenUsage.none(model);
		}
		usage = withPromptParts(request, usage);
		return record(request, usage, elapsed(start), outcome, scope);
	}

	private UsageRecord record(ChatClientRequest request, TokenUsage usage, Duration latency, CallOutcome outcome,
			CallScope scope) {
		UsageRecord record = this.recorder.record(usage, latency, outcome, scope);
		UsageObservers.notify(request, record);
		return record;
	}

	private TokenUsage estimate(ChatClientRequest request, String model, String output) {
		int prompt = RequestTokens.of(request, this.tokenCounter, model).total();
		int completion = this.tokenCounter.countText(output, model);
		return new TokenUsage(model, prompt, 0, completion, 0, true);
	}

	/**
	 * Break the prompt tokens down by part from the call's count: the count an advisor
	 * before this one stored, else one made now and kept for the estimate (messages seen
	 * before come from the memo). The parts are scaled to the provider's prompt total,
	 * which also covers what the local count cannot see (the rounds of a model-side tool
	 * loop, provider-side overhead).
	 */
	private TokenUsage withPromptParts(ChatClientRequest request, TokenUsage usage) {
		if (!this.promptBreakdown || usage.promptTokens() == 0) {
			return usage;
		}
		try {
			PromptTokens counted = RequestTokens.of(request, this.tokenCounter, usage.model());
			List<Message> messages = request.prompt().getInstructions();
			if (this.systemPrompts != null) {
				for (int i = 0; i < messages.size(); i++) {
					if (messages.get(i) instanceof SystemMessage system && system.getText() != null) {
						this.systemPrompts.observe(system.getText(), counted.messageTokens(i));
					}
				}
			}
			return usage.withPromptParts(PromptParts.of(counted, messages).scaledTo(usage.promptTokens()));
		}
		catch (RuntimeException ex) {
			// Accounting must never fail the call it accounts for.
			logger.debug("Could not break down the prompt of a call", ex);
			return usage;
		}
	}

	private String modelOf(ChatClientRequest request, @Nullable String reported) {
		return (reported != null) ? reported : RequestModels.modelOf(request, this.defaultModel);
	}

	private static CallOutcome outcomeOf(Throwable ex) {
		return (ex instanceof ResourceLimitException) ? CallOutcome.REJECTED : CallOutcome.ERROR;
	}

	private static ChatClientResponse withUsage(ChatClientResponse response, UsageRecord record) {
		return response.mutate().context(ResourceContextKeys.USAGE, record).build();
	}

	private static Duration elapsed(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

	@Override
	public String getName() {
		return "ai.resource.usage";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * The element of one stream that waits to carry the usage record: the last one
	 * without output. Elements with output (text or tool calls) are never held, so time
	 * to first token is the model's; a held element is passed on before the next element,
	 * so the order is the model's too. Signals of one stream are serial, so no locking is
	 * needed.
	 */
	private static final class HeldElement {

		@Nullable
		private ChatClientResponse held;

		@Nullable
		private Map<String, Object> lastContext;

		@Nullable
		private ChatResponseMetadata lastMetadata;

		/**
		 * Take the next element of the stream.
		 * @param response the element
		 * @return the elements to pass on now, in order
		 */
		List<ChatClientResponse> next(ChatClientResponse response) {
			ChatClientResponse previous = release();
			ChatResponse chatResponse = response.chatResponse();
			this.lastContext = response.context();
			if (chatResponse != null && chatResponse.getMetadata() != null) {
				this.lastMetadata = chatResponse.getMetadata();
			}
			// An element without a ChatResponse is dropped by Spring AI's aggregation, so
			// it could not carry the record to the subscriber: never hold it.
			if (chatResponse != null && !ProviderUsage.hasOutput(chatResponse)) {
				this.held = response;
				return (previous != null) ? List.of(previous) : List.of();
			}
			return (previous != null) ? List.of(previous, response) : List.of(response);
		}

		/**
		 * Return the element to emit when the stream completes: the held element with the
		 * record, else one element without generations that carries the record.
		 * @param request the request, whose context an empty stream's element gets
		 * @param record the record, or {@code null} when the stream was recorded already
		 * @return the element, or {@code null} for none
		 */
		@Nullable
		ChatClientResponse last(ChatClientRequest request, @Nullable UsageRecord record) {
			ChatClientResponse held = release();
			if (record == null) {
				return held;
			}
			if (held != null) {
				return withUsage(held, record);
			}
			ChatResponse empty = (this.lastMetadata != null) ? new ChatResponse(List.of(), this.lastMetadata)
					: new ChatResponse(List.of());
			return ChatClientResponse.builder()
				.chatResponse(empty)
				.context((this.lastContext != null) ? this.lastContext : request.context())
				.context(ResourceContextKeys.USAGE, record)
				.build();
		}

		@Nullable
		ChatClientResponse release() {
			ChatClientResponse held = this.held;
			this.held = null;
			return held;
		}

	}

	/**
	 * Builder for {@link UsageAdvisor}.
	 */
	public static final class Builder {

		private final UsageRecorder recorder;

		private TokenCounter tokenCounter;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		private Supplier<String> defaultModel = () -> null;

		private int order = DEFAULT_ORDER;

		private boolean promptBreakdown = true;

		@Nullable
		private SystemPrompts systemPrompts;

		private Builder(UsageRecorder recorder) {
			Assert.notNull(recorder, "recorder must not be null");
			this.recorder = recorder;
		}

		/**
		 * Set the counter used to estimate when the provider reports no usage.
		 * @param tokenCounter the counter
		 * @return this builder
		 */
		public Builder tokenCounter(TokenCounter tokenCounter) {
			this.tokenCounter = tokenCounter;
			return this;
		}

		/**
		 * Set how calls are attributed to tenants, users and conversations.
		 * @param scopeResolver the resolver
		 * @return this builder
		 */
		public Builder scopeResolver(ScopeResolver scopeResolver) {
			Assert.notNull(scopeResolver, "scopeResolver must not be null");
			return scopeResolution(new ScopeResolution(scopeResolver));
		}

		/**
		 * Set how calls are attributed, sharing the resolution (and its failure count)
		 * with a {@link ScopeCaptureAdvisor}. The usage advisor resolves only calls whose
		 * scope no advisor before it captured.
		 * @param scopeResolution the resolution
		 * @return this builder
		 */
		public Builder scopeResolution(ScopeResolution scopeResolution) {
			Assert.notNull(scopeResolution, "scopeResolution must not be null");
			this.scopeResolution = scopeResolution;
			return this;
		}

		/**
		 * Set the model recorded when neither the response nor the request names one,
		 * such as the chat model's configured default.
		 * @param defaultModel supplies the model name, may supply {@code null}
		 * @return this builder
		 */
		public Builder defaultModel(Supplier<String> defaultModel) {
			Assert.notNull(defaultModel, "defaultModel must not be null");
			this.defaultModel = defaultModel;
			return this;
		}

		/**
		 * Set whether each call's prompt tokens are broken down by part (system prompt,
		 * history, new user message, tool definitions, tool results) for the ledger. The
		 * breakdown reuses the call's count; when no advisor before this one counted the
		 * prompt, it is counted here, once.
		 * @param promptBreakdown whether to break prompts down
		 * @return this builder
		 */
		public Builder promptBreakdown(boolean promptBreakdown) {
			this.promptBreakdown = promptBreakdown;
			return this;
		}

		/**
		 * Set the tracker told of each call's system prompts, with their tokens (needs
		 * the prompt breakdown).
		 * @param systemPrompts the tracker, may be {@code null}
		 * @return this builder
		 */
		public Builder systemPrompts(@Nullable SystemPrompts systemPrompts) {
			this.systemPrompts = systemPrompts;
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

		public UsageAdvisor build() {
			if (this.tokenCounter == null) {
				this.tokenCounter = TokenCounter.create();
			}
			return new UsageAdvisor(this);
		}

	}

}
