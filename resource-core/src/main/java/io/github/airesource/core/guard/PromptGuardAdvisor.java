package io.github.airesource.core.guard;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.MaxOutputTokens;
import io.github.airesource.core.support.RejectionCounter;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecorder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Keeps requests within size limits before anything is reserved or sent: refuses a prompt
 * over {@code maxPromptTokens}, caps the output tokens a request asks for at
 * {@code maxOutputTokens}, and stops a tool loop that passes through the advisor chain
 * (Spring AI's {@code ToolCallAdvisor}) after {@code maxToolIterations} rounds.
 *
 * <p>
 * It sits at {@link ResourceAdvisorOrder#PROMPT_GUARD}, outside the budget, rate-limit
 * and concurrency advisors: a refused prompt holds no reservation or permit, and those
 * advisors reserve for the capped output. The prompt is counted once per call: the count
 * is stored in the request context ({@value ResourceContextKeys#PROMPT_TOKENS}) for the
 * advisors after this one. Each guard set to 0 is off and costs nothing.
 *
 * <p>
 * Tool iterations: with a {@code ToolCallAdvisor} before this advisor, each round of the
 * loop passes through here with the conversation so far, so the rounds already run are
 * counted from it ({@link ToolIterations}). A response that asks for tools again after
 * the last allowed round ends the call with a {@link ToolIterationLimitException} before
 * the tools run. Models that loop by themselves (internal tool execution) are guarded by
 * {@link ToolIterationGuard} instead, around their {@code ToolCallingManager}.
 */
public final class PromptGuardAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.PROMPT_GUARD;

	private static final Log logger = LogFactory.getLog(PromptGuardAdvisor.class);

	private final int maxPromptTokens;

	private final int maxOutputTokens;

	private final int maxToolIterations;

	private final TokenCounter tokenCounter;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final int order;

	private volatile boolean warnedUncappable;

	private final RejectionCounter promptRejections = new RejectionCounter();

	private PromptGuardAdvisor(Builder builder) {
		this.maxPromptTokens = builder.maxPromptTokens;
		this.maxOutputTokens = builder.maxOutputTokens;
		this.maxToolIterations = builder.maxToolIterations;
		this.tokenCounter = builder.tokenCounter;
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.order = builder.order;
	}

	public static Builder builder() {
		return new Builder();
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		ChatClientRequest guarded = guard(request);
		ChatClientResponse response = chain.nextCall(guarded);
		checkToolIterations(guarded, response);
		return response;
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.defer(() -> {
			ChatClientRequest guarded = guard(request);
			Flux<ChatClientResponse> stream = chain.nextStream(guarded);
			if (this.maxToolIterations == 0) {
				return stream;
			}
			// OpenAI's streaming model gathers a round's tool calls into one element, so
			// the element that asks for tools is seen before ToolCallAdvisor runs them.
			return stream.doOnNext((response) -> checkToolIterations(guarded, response));
		});
	}

	private ChatClientRequest guard(ChatClientRequest request) {
		if (this.maxPromptTokens == 0 && this.maxOutputTokens == 0) {
			return request;
		}
		String model = RequestModels.modelOf(request, this.defaultModel);
		if (this.maxPromptTokens > 0) {
			int tokens = RequestTokens.of(request, this.tokenCounter, model).total();
			if (tokens > this.maxPromptTokens) {
				this.promptRejections.increment();
				recordRejection(request, model);
				throw new PromptTooLargeException(tokens, this.maxPromptTokens);
			}
		}
		if (this.maxOutputTokens > 0) {
			ChatClientRequest capped = MaxOutputTokens.cap(request, this.maxOutputTokens, model);
			if (capped != null) {
				return capped;
			}
			if (!this.warnedUncappable) {
				this.warnedUncappable = true;
				logger.warn("Cannot cap the output tokens of calls whose chat options ("
						+ request.prompt().getOptions().getClass().getName()
						+ ") have no writable maxTokens; ai.resource.guard.max-output-tokens does not apply to them");
			}
		}
		return request;
	}

	private void checkToolIterations(ChatClientRequest request, ChatClientResponse response) {
		if (this.maxToolIterations == 0) {
			return;
		}
		ChatResponse chatResponse = response.chatResponse();
		if (chatResponse != null && chatResponse.hasToolCalls()) {
			ToolIterations.checkAnother(request.prompt().getInstructions(), this.maxToolIterations);
		}
	}

	private void recordRejection(ChatClientRequest request, String model) {
		if (this.recorder != null) {
			this.recorder.recordUnserved(model, CallOutcome.REJECTED, CallScopes.of(request, this.scopeResolution));
		}
	}

	/**
	 * Return the most tokens a prompt may have.
	 * @return the limit, 0 when off
	 */
	public int maxPromptTokens() {
		return this.maxPromptTokens;
	}

	/**
	 * Return the most output tokens a request may ask for.
	 * @return the cap, 0 when off
	 */
	public int maxOutputTokens() {
		return this.maxOutputTokens;
	}

	/**
	 * Return the most tool iterations a call through {@code ToolCallAdvisor} may run.
	 * @return the limit, 0 when off
	 */
	public int maxToolIterations() {
		return this.maxToolIterations;
	}

	/**
	 * Return how many calls were refused since start, by the limit that refused them:
	 * {@value PromptTooLargeException#LIMIT_NAME}. Tool-iteration stops end calls that
	 * already ran and are not counted here.
	 * @return the counts, every limit present
	 */
	public Map<String, Long> rejections() {
		return Map.of(PromptTooLargeException.LIMIT_NAME, this.promptRejections.count());
	}

	/**
	 * Return when a call was last refused by a limit.
	 * @param limit {@value PromptTooLargeException#LIMIT_NAME}
	 * @return the time, or {@code null} when none was refused or the limit is unknown
	 */
	@Nullable
	public Instant lastRejection(String limit) {
		return PromptTooLargeException.LIMIT_NAME.equals(limit) ? this.promptRejections.last() : null;
	}

	@Override
	public String getName() {
		return "ai.resource.prompt-guard";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * Builder for {@link PromptGuardAdvisor}.
	 */
	public static final class Builder {

		private int maxPromptTokens;

		private int maxOutputTokens;

		private int maxToolIterations;

		@Nullable
		private TokenCounter tokenCounter;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private int order = DEFAULT_ORDER;

		private Builder() {
		}

		/**
		 * Set the most tokens a prompt may have.
		 * @param maxPromptTokens the limit, 0 for none
		 * @return this builder
		 */
		public Builder maxPromptTokens(int maxPromptTokens) {
			Assert.isTrue(maxPromptTokens >= 0, "maxPromptTokens must not be negative");
			this.maxPromptTokens = maxPromptTokens;
			return this;
		}

		/**
		 * Set the most output tokens a request may ask for.
		 * @param maxOutputTokens the cap, 0 for none
		 * @return this builder
		 */
		public Builder maxOutputTokens(int maxOutputTokens) {
			Assert.isTrue(maxOutputTokens >= 0, "maxOutputTokens must not be negative");
			this.maxOutputTokens = maxOutputTokens;
			return this;
		}

		/**
		 * Set the most tool iterations a call through {@code ToolCallAdvisor} may run.
		 * @param maxToolIterations the limit, 0 for none
		 * @return this builder
		 */
		public Builder maxToolIterations(int maxToolIterations) {
			Assert.isTrue(maxToolIterations >= 0, "maxToolIterations must not be negative");
			this.maxToolIterations = maxToolIterations;
			return this;
		}

		/**
		 * Set the counter of prompts; share the application's so a prompt is counted
		 * once.
		 * @param tokenCounter the counter
		 * @return this builder
		 */
		public Builder tokenCounter(TokenCounter tokenCounter) {
			this.tokenCounter = tokenCounter;
			return this;
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

		public PromptGuardAdvisor build() {
			if (this.tokenCounter == null) {
				this.tokenCounter = TokenCounter.create();
			}
			return new PromptGuardAdvisor(this);
		}

	}

}
