package io.github.airesource.core.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.RequestContexts;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.tokens.PromptTokens;
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
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Keeps a prompt's chat history under a token limit ({@code maxTokens}) and, when set, a
 * message limit ({@code maxMessages}), dropping whole turns from the oldest, and
 * optionally replaces what it drops with a running summary.
 *
 * <p>
 * It sits at {@link ResourceAdvisorOrder#HISTORY}, after Spring AI's chat-memory advisors
 * (so it sees the history they add) and before routing, the prompt guard, the caches and
 * the limits (so they see and reserve for the trimmed prompt). Every system message and
 * the latest user message, with whatever follows it (the current round of a tool loop),
 * are always kept; an assistant message with tool calls is kept or dropped with its tool
 * responses. When those alone are over the limit the call fails with a
 * {@link PromptTooLargeException} instead of sending a prompt that cannot fit.
 *
 * <p>
 * Cache-friendly cut: when a conversation goes over the limit, its history is trimmed
 * down to {@code trimTo} of the limit (the low-water mark), and that cut is remembered
 * per conversation ({@link HistoryStore}) and kept on the following calls until the limit
 * is reached again. Between two cuts every prompt starts with the same messages, so the
 * provider's prompt cache (OpenAI's is a prefix cache) keeps hitting; trimming one old
 * message per call would change the prefix, and miss, on every call.
 *
 * <p>
 * Summarization: with a {@link HistorySummarizer}, the turns dropped by a new cut are
 * folded into the conversation's running summary (previous summary plus newly dropped
 * turns, each turn once), sent as one system message placed before the kept turns. A
 * failing or slow summarizer leaves the history trimmed but not summarized; the call goes
 * on. Without a conversation id ({@code chat_memory_conversation_id}) nothing is
 * remembered: the history is trimmed for that call alone and not summarized.
 *
 * <p>
 * The prompt is counted once per call ({@link RequestTokens}); the trimmed prompt's count
 * is derived from it, not counted again, and stored for the advisors after this one.
 */
public final class HistoryAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.HISTORY;

	/** The default low-water mark, as a fraction of the limit. */
	public static final double DEFAULT_TRIM_TO = 0.7;

	/**
	 * The name of the limit in the {@link PromptTooLargeException} this advisor throws.
	 */
	public static final String LIMIT_NAME = "history-max-tokens";

	/** The first line of the summary message, which tells the model what follows. */
	public static final String SUMMARY_HEADING = "Summary of the earlier part of this conversation "
			+ "(older messages were removed to save tokens):";

	private static final Log logger = LogFactory.getLog(HistoryAdvisor.class);

	private final int maxTokens;

	private final int maxMessages;

	private final double trimTo;

	private final int lowTokens;

	private final int lowMessages;

	private final TokenCounter tokenCounter;

	private final HistoryStore store;

	/**
	 * The cuts this instance made, kept in memory for when a shared store fails: without
	 * them every call of a conversation would cut (and summarize) its history afresh
	 * until the store is back. {@code null} when the store is in memory itself.
	 */
	@Nullable
	private final InMemoryHistoryStore lastMade;

	@Nullable
	private final HistorySummarizer summarizer;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final HistoryStatistics statistics;

	private final int order;

	private volatile boolean warnedStore;

	private HistoryAdvisor(Builder builder) {
		this.maxTokens = builder.maxTokens;
		this.maxMessages = builder.maxMessages;
		this.trimTo = builder.trimTo;
		this.lowTokens = (int) Math.floor(builder.maxTokens * builder.trimTo);
		this.lowMessages = (builder.maxMessages > 0)
				? Math.max(1, (int) Math.floor(builder.maxMessages * builder.trimTo)) : 0;
		this.tokenCounter = builder.tokenCounter;
		this.store = builder.store;
		this.lastMade = (builder.store instanceof InMemoryHistoryStore) ? null : new InMemoryHistoryStore();
		this.summarizer = builder.summarizer;
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.statistics = builder.statistics;
		this.order = builder.order;
	}

	/**
	 * Create a builder.
	 * @param maxTokens the most tokens a prompt may have after trimming
	 * @return the builder
	 */
	public static Builder builder(int maxTokens) {
		return new Builder(maxTokens);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		return chain.nextCall(trim(request));
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.defer(() -> chain.nextStream(trim(request)));
	}

	/**
	 * Return the request with its history trimmed, or the request itself when nothing is
	 * to be dropped.
	 * @param request the request
	 * @return the request to send on
	 * @throws PromptTooLargeException when the messages that are always kept are over the
	 * limit
	 */
	public ChatClientRequest trim(ChatClientRequest request) {
		List<Message> messages = request.prompt().getInstructions();
		String model = RequestModels.modelOf(request, this.defaultModel);
		PromptTokens tokens = RequestTokens.of(request, this.tokenCounter, model);
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		HistoryKey key = HistoryKey.of(scope);
		HistoryCut cut = (key != null) ? read(key) : null;
		if (cut == null && tokens.total() <= this.maxTokens
				&& (this.maxMessages == 0 || messages.size() <= this.maxMessages)) {
			return request;
		}
		HistoryWindow window = HistoryWindow.of(messages, tokens::messageTokens,
				tokens.toolTokens() + tokens.replyPriming());
		if (window.fixedTokens() > this.maxTokens) {
			if (this.recorder != null) {
				this.recorder.recordUnserved(model, CallOutcome.REJECTED, scope);
			}
			throw new PromptTooLargeException("The system messages and the latest user message have "
					+ window.fixedTokens() + " tokens, more than the " + this.maxTokens
					+ " allowed by ai.resource.history.max-tokens: no trimming of the history can make the prompt fit",
					LIMIT_NAME, window.fixedTokens(), this.maxTokens);
		}
		int from = 0;
		String summary = null;
		int unsummarized = 0;
		if (cut != null) {
			from = window.locate(cut);
			if (from < 0) {
				// Cleared or rewritten: its summary is of another history.
				from = 0;
				cut = null;
			}
			else if (this.summarizer != null) {
				summary = cut.summary();
				unsummarized = cut.unsummarized();
			}
		}
		int summaryTokens = countSummary(summary, model);
		int unit = from;
		boolean moved = false;
		if (window.over(from, this.maxTokens, this.maxMessages, summaryTokens)) {
			unit = window.fit(from, this.lowTokens, this.lowMessages, summaryTokens);
			moved = true;
			this.statistics.cutMoved();
			if (this.summarizer != null && key != null) {
				int summarizedEnd = Math.max(0, window.droppedMessages(from) - unsummarized);
				int end = window.droppedMessages(unit);
				String next = this.summarizer.summarize(summary, window.historyMessages(summarizedEnd, end), scope);
				if (next != null) {
					summary = next;
					unsummarized = 0;
					summaryTokens = countSummary(summary, model);
				}
				else {
					unsummarized = end - summarizedEnd;
				}
				// A longer summary may take the room the low-water mark left.
				while (unit < window.units() && window.over(unit, this.maxTokens, this.maxMessages, summaryTokens)) {
					unit++;
				}
				unsummarized += window.droppedMessages(unit) - end;
			}
		}
		// Written only when the cut moves. A window memory that forgets old messages
		// moves
		// the anchor's position on every turn; locate() finds it again from the written
		// position, so rewriting that position would cost a store write (a Redis round
		// trip) per call for nothing.
		if (key != null && moved) {
			write(key, new HistoryCut(window.anchor(unit), window.droppedMessages(unit), summary, unsummarized));
		}
		if (unit == 0) {
			return request;
		}
		if (window.tokensFrom(unit, summaryTokens) > this.maxTokens) {
			// Only the summary is too long to fit beside what is always kept: send
			// without.
			summary = null;
			summaryTokens = 0;
		}
		return trimmed(request, tokens, window, unit, summary, summaryTokens);
	}

	private ChatClientRequest trimmed(ChatClientRequest request, PromptTokens tokens, HistoryWindow window, int unit,
			@Nullable String summary, int summaryTokens) {
		List<Message> messages = request.prompt().getInstructions();
		int firstKept = window.firstKept(unit);
		int size = messages.size();
		List<Message> kept = new ArrayList<>(size + 1);
		int[] counts = new int[size + 1];
		Message summaryMessage = (summary != null) ? summaryMessage(summary) : null;
		for (int i = 0; i < size; i++) {
			if (!window.isKept(i, firstKept)) {
				continue;
			}
			if (summaryMessage != null && i == firstKept) {
				counts[kept.size()] = summaryTokens;
				kept.add(summaryMessage);
				summaryMessage = null;
			}
			counts[kept.size()] = tokens.messageTokens(i);
			kept.add(messages.get(i));
		}
		if (summaryMessage != null) {
			counts[kept.size()] = summaryTokens;
			kept.add(summaryMessage);
		}
		int droppedMessages = window.droppedMessages(unit);
		this.statistics.trimmed(droppedMessages, window.droppedTokens(unit), (summary != null) ? summaryTokens : 0);
		int[] keptCounts = (kept.size() == counts.length) ? counts : java.util.Arrays.copyOf(counts, kept.size());
		ChatClientRequest trimmed = new ChatClientRequest(new Prompt(kept, request.prompt().getOptions()),
				new HashMap<>(request.context()));
		RequestContexts.putIfPossible(trimmed, ResourceContextKeys.PROMPT_TOKENS,
				tokens.withMessages(kept, keptCounts));
		return trimmed;
	}

	/**
	 * Return the message that carries a summary. A system message, because it is valid
	 * anywhere in OpenAI's message order (a user message would sit next to the first kept
	 * user message, an assistant message would answer nothing) and providers that take
	 * system text apart from the turns (Anthropic) keep it out of the turn order, where a
	 * misplaced user or assistant message would be rejected.
	 * @param summary the summary
	 * @return the message
	 */
	public static Message summaryMessage(String summary) {
		return new SystemMessage(SUMMARY_HEADING + "\n" + summary);
	}

	private int countSummary(@Nullable String summary, String model) {
		if (summary == null) {
			return 0;
		}
		return this.tokenCounter.countPrompt(new Prompt(List.of(summaryMessage(summary))), model).messageTokens(0);
	}

	@Nullable
	private HistoryCut read(HistoryKey key) {
		try {
			return this.store.get(key);
		}
		catch (RuntimeException ex) {
			storeFailed(ex);
			return (this.lastMade != null) ? this.lastMade.get(key) : null;
		}
	}

	private void write(HistoryKey key, HistoryCut cut) {
		if (this.lastMade != null) {
			this.lastMade.put(key, cut);
		}
		try {
			this.store.put(key, cut);
		}
		catch (RuntimeException ex) {
			storeFailed(ex);
		}
	}

	private void storeFailed(RuntimeException ex) {
		this.statistics.storeFailed();
		if (!this.warnedStore) {
			this.warnedStore = true;
			logger.warn("The history store failed; until it is back, calls go on with the cuts and summaries "
					+ "this instance made itself, or cut afresh (logged once)", ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("The history store failed", ex);
		}
	}

	/**
	 * Return the most tokens a prompt may have after trimming.
	 * @return the limit
	 */
	public int maxTokens() {
		return this.maxTokens;
	}

	/**
	 * Return the most non-system messages a prompt may have after trimming.
	 * @return the limit, 0 for none
	 */
	public int maxMessages() {
		return this.maxMessages;
	}

	/**
	 * Return the low-water mark a prompt over the limit is trimmed down to.
	 * @return the fraction of the limits
	 */
	public double trimTo() {
		return this.trimTo;
	}

	/**
	 * Return what trimming and summarization did since start.
	 * @return the statistics
	 */
	public HistoryStatistics statistics() {
		return this.statistics;
	}

	/**
	 * Return where the conversations' cuts are kept.
	 * @return the store
	 */
	public HistoryStore store() {
		return this.store;
	}

	@Override
	public String getName() {
		return "ai.resource.history";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * Builder for {@link HistoryAdvisor}.
	 */
	public static final class Builder {

		private final int maxTokens;

		private int maxMessages;

		private double trimTo = DEFAULT_TRIM_TO;

		@Nullable
		private TokenCounter tokenCounter;

		@Nullable
		private HistoryStore store;

		@Nullable
		private HistorySummarizer summarizer;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private HistoryStatistics statistics = new HistoryStatistics();

		private int order = DEFAULT_ORDER;

		private Builder(int maxTokens) {
			Assert.isTrue(maxTokens > 0, "maxTokens must be positive");
			this.maxTokens = maxTokens;
		}

		/**
		 * Set the most non-system messages a prompt may have after trimming.
		 * @param maxMessages the limit, 0 for none
		 * @return this builder
		 */
		public Builder maxMessages(int maxMessages) {
			Assert.isTrue(maxMessages >= 0, "maxMessages must not be negative");
			this.maxMessages = maxMessages;
			return this;
		}

		/**
		 * Set the low-water mark: a prompt over a limit is trimmed down to this fraction
		 * of it, and the cut is kept until the limit is reached again.
		 * @param trimTo the fraction, above 0 and at most 1
		 * @return this builder
		 */
		public Builder trimTo(double trimTo) {
			Assert.isTrue(trimTo > 0 && trimTo <= 1, "trimTo must be above 0 and at most 1");
			this.trimTo = trimTo;
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
		 * Set where each conversation's cut and summary are kept.
		 * @param store the store; an {@link InMemoryHistoryStore} by default
		 * @return this builder
		 */
		public Builder store(HistoryStore store) {
			this.store = store;
			return this;
		}

		/**
		 * Set the summarizer of dropped turns.
		 * @param summarizer the summarizer, {@code null} to drop turns without a summary
		 * @return this builder
		 */
		public Builder summarizer(@Nullable HistorySummarizer summarizer) {
			this.summarizer = summarizer;
			return this;
		}

		/**
		 * Set how calls are attributed to tenants and conversations.
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
		 * Set the model of calls whose options name none, which chooses the encoding.
		 * @param defaultModel supplies the model name, may supply {@code null}
		 * @return this builder
		 */
		public Builder defaultModel(Supplier<String> defaultModel) {
			Assert.notNull(defaultModel, "defaultModel must not be null");
			this.defaultModel = defaultModel;
			return this;
		}

		/**
		 * Set the statistics to count in; share them with the summarizer.
		 * @param statistics the statistics
		 * @return this builder
		 */
		public Builder statistics(HistoryStatistics statistics) {
			Assert.notNull(statistics, "statistics must not be null");
			this.statistics = statistics;
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

		public HistoryAdvisor build() {
			if (this.tokenCounter == null) {
				this.tokenCounter = TokenCounter.create();
			}
			if (this.store == null) {
				this.store = new InMemoryHistoryStore();
			}
			return new HistoryAdvisor(this);
		}

	}

}
