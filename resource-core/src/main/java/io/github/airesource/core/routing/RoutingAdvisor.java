package io.github.airesource.core.routing;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.support.ResponseContexts;
import io.github.airesource.core.tokens.TokenCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Sends a call to another model: the first {@link RoutingRule} that matches names it, so
 * that simple calls go to a cheap model; then, with a context-window fallback set, a
 * prompt (plus the output it asks for) larger than the chosen model's context window goes
 * to the fallback model instead of failing at the provider.
 *
 * <p>
 * It sits at {@link ResourceAdvisorOrder#ROUTING}, after history trimming and before the
 * prompt guard, the caches, budgets, rate limits and usage recording, so every one of
 * them sees the model the call is actually sent to. The prompt is counted only when a
 * rule with a token bound is reached or the context-window rule applies, and then once:
 * the count is kept in the request context for the advisors after this one. A caller
 * keeps a call on its model with the advisor param {@value ResourceContextKeys#ROUTING}
 * set to {@code false}. A routed call's response context holds its
 * {@link RoutingDecision} under {@value ResourceContextKeys#ROUTING_DECISION}.
 */
public final class RoutingAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.ROUTING;

	/** The rule name in the decision of a call routed for its context window. */
	public static final String CONTEXT_WINDOW_RULE = "context-window";

	private static final Log logger = LogFactory.getLog(RoutingAdvisor.class);

	private final List<RoutingRule> rules;

	private final ContextWindows contextWindows;

	@Nullable
	private final String contextWindowFallback;

	private final TokenCounter tokenCounter;

	private final ScopeResolution scopeResolution;

	private final Supplier<String> defaultModel;

	@Nullable
	private final RoutingListener listener;

	private final int order;

	private volatile boolean warnedUnroutable;

	private RoutingAdvisor(Builder builder) {
		this.rules = List.copyOf(builder.rules);
		this.contextWindows = builder.contextWindows;
		this.contextWindowFallback = builder.contextWindowFallback;
		this.tokenCounter = builder.tokenCounter;
		this.scopeResolution = builder.scopeResolution;
		this.defaultModel = builder.defaultModel;
		this.listener = builder.listener;
		this.order = builder.order;
	}

	public static Builder builder() {
		return new Builder();
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		Routed routed = route(request);
		ChatClientResponse response = chain.nextCall(routed.request());
		return (routed.decision() != null)
				? ResponseContexts.with(response, ResourceContextKeys.ROUTING_DECISION, routed.decision()) : response;
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.defer(() -> {
			Routed routed = route(request);
			Flux<ChatClientResponse> stream = chain.nextStream(routed.request());
			RoutingDecision decision = routed.decision();
			return (decision != null) ? stream
				.map((response) -> ResponseContexts.with(response, ResourceContextKeys.ROUTING_DECISION, decision))
					: stream;
		});
	}

	/**
	 * Decide where a call goes.
	 * @param request the request
	 * @return the request to pass on and the decision, {@code null} when it keeps its
	 * model
	 */
	Routed route(ChatClientRequest request) {
		if (optedOut(request.context().get(ResourceContextKeys.ROUTING))) {
			return new Routed(request, null);
		}
		String requested = RequestModels.modelOf(request, this.defaultModel);
		RoutingCall call = new RoutingCall(request, requested, this.tokenCounter, this.scopeResolution);
		String target = requested;
		String reason = null;
		String ruleName = null;
		for (RoutingRule rule : this.rules) {
			if (rule.matches(call)) {
				target = rule.model();
				reason = RoutingDecision.RULE;
				ruleName = rule.name();
				break;
			}
		}
		if (this.contextWindowFallback != null && !target.equals(this.contextWindowFallback)
				&& exceedsWindow(call, request, target)) {
			target = this.contextWindowFallback;
			reason = RoutingDecision.CONTEXT_WINDOW;
			ruleName = CONTEXT_WINDOW_RULE;
		}
		if (reason == null || target.equals(requested)) {
			return new Routed(request, null);
		}
		ChatClientRequest rerouted = RequestModels.withModel(request, target);
		if (rerouted == null) {
			if (!this.warnedUnroutable) {
				this.warnedUnroutable = true;
				logger
					.warn("Cannot route calls whose chat options (" + request.prompt().getOptions().getClass().getName()
							+ ") have no writable model; ai.resource.routing does not apply to them");
			}
			return new Routed(request, null);
		}
		RoutingDecision decision = new RoutingDecision(requested, target, reason, ruleName);
		if (logger.isDebugEnabled()) {
			logger.debug("Routed a call from " + requested + " to " + target + " (" + ruleName + ")");
		}
		if (this.listener != null) {
			try {
				this.listener.onRouted(decision);
			}
			catch (RuntimeException ex) {
				logger.warn("Routing listener " + this.listener + " failed", ex);
			}
		}
		return new Routed(rerouted, decision);
	}

	/**
	 * Whether the prompt and the output it asks for overflow a model's context window,
	 * and the fallback model's window (when known) takes them.
	 */
	private boolean exceedsWindow(RoutingCall call, ChatClientRequest request, String model) {
		OptionalInt window = this.contextWindows.of(model);
		if (window.isEmpty()) {
			return false;
		}
		Integer output = RequestModels.maxOutputTokens(request);
		long needed = (long) call.promptTokens() + ((output != null) ? output : 0);
		if (needed <= window.getAsInt()) {
			return false;
		}
		OptionalInt larger = this.contextWindows.of(this.contextWindowFallback);
		if (larger.isPresent() && needed > larger.getAsInt()) {
			// Neither fits: keep the call as it is, and let the provider say so.
			if (logger.isDebugEnabled()) {
				logger.debug("A prompt of " + call.promptTokens() + " tokens fits neither " + model + " nor "
						+ this.contextWindowFallback);
			}
			return false;
		}
		return true;
	}

	private static boolean optedOut(@Nullable Object value) {
		if (value == null) {
			return false;
		}
		if (value instanceof Boolean bool) {
			return !bool;
		}
		String text = value.toString().trim().toLowerCase(Locale.ROOT);
		return switch (text) {
			case "false", "off" -> true;
			case "true", "on" -> false;
			default -> throw new IllegalArgumentException("Advisor param '" + ResourceContextKeys.ROUTING
					+ "' must be true, false, on or off, not '" + value + "'");
		};
	}

	/**
	 * Return the rules, in the order they are tried.
	 * @return the rules
	 */
	public List<RoutingRule> rules() {
		return this.rules;
	}

	@Override
	public String getName() {
		return "ai.resource.routing";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * The request to pass on and how it was routed.
	 *
	 * @param request the request
	 * @param decision the decision, {@code null} when the call keeps its model
	 */
	record Routed(ChatClientRequest request, @Nullable RoutingDecision decision) {
	}

	/**
	 * Builder for {@link RoutingAdvisor}.
	 */
	public static final class Builder {

		private List<RoutingRule> rules = List.of();

		private ContextWindows contextWindows = ContextWindows.withDefaults();

		@Nullable
		private String contextWindowFallback;

		@Nullable
		private TokenCounter tokenCounter;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		private Supplier<String> defaultModel = () -> null;

		@Nullable
		private RoutingListener listener;

		private int order = DEFAULT_ORDER;

		private Builder() {
		}

		/**
		 * Set the rules, tried in order; the first that matches routes the call.
		 * @param rules the rules
		 * @return this builder
		 */
		public Builder rules(List<RoutingRule> rules) {
			Assert.notNull(rules, "rules must not be null");
			this.rules = List.copyOf(rules);
			return this;
		}

		/**
		 * Set the context windows of the models.
		 * @param contextWindows the windows
		 * @return this builder
		 */
		public Builder contextWindows(ContextWindows contextWindows) {
			Assert.notNull(contextWindows, "contextWindows must not be null");
			this.contextWindows = contextWindows;
			return this;
		}

		/**
		 * Set the model that takes prompts too large for the model a call would go to.
		 * @param model the larger-context model, or {@code null} to leave such calls as
		 * they are
		 * @return this builder
		 */
		public Builder contextWindowFallback(@Nullable String model) {
			this.contextWindowFallback = StringUtils.hasText(model) ? model : null;
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
		 * Set how calls are attributed to tenants and users, for rules that match them.
		 * @param scopeResolution the resolution
		 * @return this builder
		 */
		public Builder scopeResolution(ScopeResolution scopeResolution) {
			Assert.notNull(scopeResolution, "scopeResolution must not be null");
			this.scopeResolution = scopeResolution;
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
		 * Set the listener told of every routed call, such as a metrics binder.
		 * @param listener the listener, may be {@code null}
		 * @return this builder
		 */
		public Builder listener(@Nullable RoutingListener listener) {
			this.listener = listener;
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

		public RoutingAdvisor build() {
			if (this.tokenCounter == null) {
				this.tokenCounter = TokenCounter.create();
			}
			return new RoutingAdvisor(this);
		}

	}

}
