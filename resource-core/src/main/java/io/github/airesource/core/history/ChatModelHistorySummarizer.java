package io.github.airesource.core.history;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.github.airesource.core.HeldResources;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.ProviderUsage;
import io.github.airesource.core.usage.TokenUsage;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecorder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Summarizes dropped history with the application's {@link ChatModel}, asking the
 * configured (cheaper) model by name in the call's options.
 *
 * <p>
 * The summary call is made directly on the chat model, not through a {@code ChatClient},
 * so it does not pass through the resource advisors again; its usage is recorded by the
 * {@link UsageRecorder} on a ledger line of its own ({@link UsagePurpose#SUMMARY},
 * {@code summary:<model>}). It runs on a small pool of worker threads so that the caller
 * waits at most the timeout: a slow or failing summarizer costs the user's call at most
 * that long and never fails it. A summary that finishes after its caller gave up is still
 * recorded in the ledger (it was paid for) but not used. {@link #close()} stops the
 * workers.
 */
public final class ChatModelHistorySummarizer implements HistorySummarizer, HeldResources, AutoCloseable {

	/** The default bound on how long a call waits for its summary. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	/** The default number of summaries made at once; more are not waited for. */
	public static final int DEFAULT_MAX_CONCURRENT = 8;

	/** The default length of a summary, in words, asked of the model. */
	public static final int DEFAULT_MAX_WORDS = 300;

	private static final Log logger = LogFactory.getLog(ChatModelHistorySummarizer.class);

	private static final String INSTRUCTIONS = """
			You keep a running summary of a conversation between a user and an assistant. \
			Older messages are removed from the conversation and only your summary remains, \
			so keep what the assistant needs to go on: facts, names, numbers, decisions, \
			tool results that matter, the user's goals and preferences, open questions. \
			Leave out greetings and small talk. Merge the current summary and the new \
			messages into one summary of at most %d words, in the conversation's language, \
			as plain text without a preamble.""";

	private final Supplier<ChatModel> chatModel;

	private final String model;

	private final Duration timeout;

	private final int maxWords;

	@Nullable
	private final UsageRecorder recorder;

	private final HistoryStatistics statistics;

	private final TokenCounter tokenCounter;

	private final ThreadPoolExecutor workers;

	private ChatModelHistorySummarizer(Builder builder) {
		this.chatModel = builder.chatModel;
		this.model = builder.model;
		this.timeout = builder.timeout;
		this.maxWords = builder.maxWords;
		this.recorder = builder.recorder;
		this.statistics = builder.statistics;
		this.tokenCounter = (builder.tokenCounter != null) ? builder.tokenCounter : TokenCounter.create();
		AtomicInteger threads = new AtomicInteger();
		// No queue: a summary either gets a worker at once or is not made this time.
		this.workers = new ThreadPoolExecutor(0, builder.maxConcurrent, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
				(task) -> {
					Thread thread = new Thread(task, "airesource-history-summary-" + threads.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
	}

	/**
	 * Create a builder.
	 * @param chatModel supplies the chat model to ask, looked up on first use
	 * @return the builder
	 */
	public static Builder builder(Supplier<ChatModel> chatModel) {
		return new Builder(chatModel);
	}

	@Override
	@Nullable
	public String summarize(@Nullable String previousSummary, List<Message> dropped, CallScope scope) {
		if (dropped.isEmpty()) {
			return previousSummary;
		}
		Prompt prompt = prompt(previousSummary, dropped);
		Future<String> summary;
		try {
			summary = this.workers.submit(summaryCall(prompt, scope));
		}
		catch (RejectedExecutionException ex) {
			this.statistics.summaryFailed();
			logger.debug("No free worker for a history summary; the call goes on without it");
			return null;
		}
		try {
			return summary.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			summary.cancel(true);
			this.statistics.summaryTimedOut();
			logger.warn("The history summary by " + this.model + " took longer than " + this.timeout
					+ "; the call goes on with the history trimmed but not summarized");
			return null;
		}
		catch (ExecutionException ex) {
			this.statistics.summaryFailed();
			logger.warn("The history summary by " + this.model
					+ " failed; the call goes on with the history trimmed but not summarized: " + ex.getCause());
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			summary.cancel(true);
			this.statistics.summaryFailed();
			return null;
		}
	}

	private Callable<String> summaryCall(Prompt prompt, CallScope scope) {
		return () -> {
			long start = System.nanoTime();
			ChatResponse response;
			try {
				response = this.chatModel.get().call(prompt);
			}
			catch (RuntimeException ex) {
				record(TokenUsage.none(this.model), start, CallOutcome.ERROR, scope);
				throw ex;
			}
			String text = (response != null && response.getResult() != null)
					? response.getResult().getOutput().getText() : null;
			record(usageOf(response, prompt, text), start, CallOutcome.SUCCESS, scope);
			if (!StringUtils.hasText(text)) {
				throw new IllegalStateException("the model returned no summary");
			}
			this.statistics.summarized();
			return text.strip();
		};
	}

	private TokenUsage usageOf(@Nullable ChatResponse response, Prompt prompt, @Nullable String text) {
		String served = ProviderUsage.modelOf(response);
		String model = (served != null) ? served : this.model;
		TokenUsage reported = ProviderUsage.of(response, model);
		if (reported != null) {
			return reported;
		}
		// The provider reported nothing: count what was sent and received, marked as an
		// estimate, as the usage advisor does for chat calls.
		return new TokenUsage(model, this.tokenCounter.countPrompt(prompt, model).total(), 0,
				this.tokenCounter.countText(text, model), 0, true);
	}

	private void record(TokenUsage usage, long start, CallOutcome outcome, CallScope scope) {
		if (this.recorder != null) {
			this.recorder.record(usage, Duration.ofNanos(System.nanoTime() - start), outcome, scope,
					UsagePurpose.SUMMARY);
		}
	}

	Prompt prompt(@Nullable String previousSummary, List<Message> dropped) {
		StringBuilder text = new StringBuilder("Current summary:\n");
		text.append(StringUtils.hasText(previousSummary) ? previousSummary : "(none yet)");
		text.append("\n\nNew messages, oldest first:\n");
		for (Message message : dropped) {
			appendMessage(text, message);
		}
		return new Prompt(
				List.of(new SystemMessage(INSTRUCTIONS.formatted(this.maxWords)), new UserMessage(text.toString())),
				ChatOptions.builder().model(this.model).build());
	}

	private static void appendMessage(StringBuilder text, Message message) {
		switch (message.getMessageType()) {
			case USER -> text.append("User: ").append(message.getText()).append('\n');
			case ASSISTANT -> {
				if (StringUtils.hasText(message.getText())) {
					text.append("Assistant: ").append(message.getText()).append('\n');
				}
				if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
					for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
						text.append("Assistant called tool ")
							.append(call.name())
							.append(" with ")
							.append(call.arguments())
							.append('\n');
					}
				}
			}
			case TOOL -> {
				if (message instanceof ToolResponseMessage tool) {
					for (ToolResponseMessage.ToolResponse response : tool.getResponses()) {
						text.append("Tool ")
							.append(response.name())
							.append(" returned: ")
							.append(response.responseData())
							.append('\n');
					}
				}
			}
			case SYSTEM -> {
				// System messages are never dropped.
			}
		}
	}

	/**
	 * Return the model that makes the summaries.
	 * @return the model name
	 */
	public String model() {
		return this.model;
	}

	/**
	 * Return the bound on how long a call waits for its summary.
	 * @return the timeout
	 */
	public Duration timeout() {
		return this.timeout;
	}

	@Override
	public Map<String, Long> held() {
		return Map.of("history.summaries", (long) this.workers.getActiveCount());
	}

	@Override
	public void close() {
		this.workers.shutdownNow();
	}

	/**
	 * Builder for {@link ChatModelHistorySummarizer}.
	 */
	public static final class Builder {

		private final Supplier<ChatModel> chatModel;

		private String model = "gpt-4o-mini";

		private Duration timeout = DEFAULT_TIMEOUT;

		private int maxConcurrent = DEFAULT_MAX_CONCURRENT;

		private int maxWords = DEFAULT_MAX_WORDS;

		@Nullable
		private UsageRecorder recorder;

		private HistoryStatistics statistics = new HistoryStatistics();

		@Nullable
		private TokenCounter tokenCounter;

		private Builder(Supplier<ChatModel> chatModel) {
			Assert.notNull(chatModel, "chatModel must not be null");
			this.chatModel = chatModel;
		}

		/**
		 * Set the model that makes the summaries, such as a cheaper one.
		 * @param model the model name
		 * @return this builder
		 */
		public Builder model(String model) {
			Assert.hasText(model, "model must not be empty");
			this.model = model;
			return this;
		}

		/**
		 * Set how long a call waits for its summary before going on without it.
		 * @param timeout the timeout, positive
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
			this.timeout = timeout;
			return this;
		}

		/**
		 * Set how many summaries may be made at once; calls beyond go on without one.
		 * @param maxConcurrent the count, positive
		 * @return this builder
		 */
		public Builder maxConcurrent(int maxConcurrent) {
			Assert.isTrue(maxConcurrent > 0, "maxConcurrent must be positive");
			this.maxConcurrent = maxConcurrent;
			return this;
		}

		/**
		 * Set the most words a summary should have, as asked of the model.
		 * @param maxWords the words, positive
		 * @return this builder
		 */
		public Builder maxWords(int maxWords) {
			Assert.isTrue(maxWords > 0, "maxWords must be positive");
			this.maxWords = maxWords;
			return this;
		}

		/**
		 * Set the recorder of the summary calls' usage.
		 * @param recorder the recorder, may be {@code null}
		 * @return this builder
		 */
		public Builder recorder(@Nullable UsageRecorder recorder) {
			this.recorder = recorder;
			return this;
		}

		/**
		 * Set the statistics to count summaries in; share the advisor's.
		 * @param statistics the statistics
		 * @return this builder
		 */
		public Builder statistics(HistoryStatistics statistics) {
			Assert.notNull(statistics, "statistics must not be null");
			this.statistics = statistics;
			return this;
		}

		/**
		 * Set the counter that estimates a summary call's usage when the provider reports
		 * none; share the application's.
		 * @param tokenCounter the counter
		 * @return this builder
		 */
		public Builder tokenCounter(TokenCounter tokenCounter) {
			Assert.notNull(tokenCounter, "tokenCounter must not be null");
			this.tokenCounter = tokenCounter;
			return this;
		}

		public ChatModelHistorySummarizer build() {
			return new ChatModelHistorySummarizer(this);
		}

	}

}
