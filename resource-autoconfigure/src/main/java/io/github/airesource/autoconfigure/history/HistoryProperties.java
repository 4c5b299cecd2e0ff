package io.github.airesource.autoconfigure.history;

import java.time.Duration;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.history.ChatModelHistorySummarizer;
import io.github.airesource.core.history.HistoryAdvisor;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;

/**
 * Chat-history trimming by tokens and summarization of the trimmed turns. Where the cut
 * and the summary of each conversation are kept follows the response cache's store
 * ({@code ai.resource.cache.response.store}): memory, or Redis shared by every instance.
 */
@ConfigurationProperties(HistoryProperties.PREFIX)
public class HistoryProperties implements InitializingBean {

	/** The prefix of the history properties. */
	public static final String PREFIX = "ai.resource.history";

	/**
	 * Whether to trim the chat history of every call to the token limit.
	 */
	private boolean enabled = false;

	/**
	 * Most tokens a prompt may have after trimming, system messages, the latest user
	 * message and tool definitions included.
	 */
	private int maxTokens = 2000;

	/**
	 * Most messages other than system messages a prompt may have after trimming, 0 for no
	 * count limit.
	 */
	private int maxMessages = 0;

	/**
	 * Fraction of the limits a history over them is trimmed down to; the cut is then kept
	 * until the limit is reached again, so the prompt's start stays the same and the
	 * provider's prompt cache keeps hitting.
	 */
	private double trimTo = HistoryAdvisor.DEFAULT_TRIM_TO;

	/**
	 * Position of the history advisor in the chat client's advisor chain.
	 */
	private int order = HistoryAdvisor.DEFAULT_ORDER;

	private final Summarize summarize = new Summarize();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getMaxTokens() {
		return this.maxTokens;
	}

	public void setMaxTokens(int maxTokens) {
		this.maxTokens = maxTokens;
	}

	public int getMaxMessages() {
		return this.maxMessages;
	}

	public void setMaxMessages(int maxMessages) {
		this.maxMessages = maxMessages;
	}

	public double getTrimTo() {
		return this.trimTo;
	}

	public void setTrimTo(double trimTo) {
		this.trimTo = trimTo;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	public Summarize getSummarize() {
		return this.summarize;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.maxTokens <= 0) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-tokens", this.maxTokens,
					"the history needs a positive token limit",
					"Set " + PREFIX + ".max-tokens to a number of tokens such as 4000, or set " + PREFIX
							+ ".enabled=false to send the whole history.");
		}
		if (this.maxMessages < 0) {
			throw new InvalidResourcePropertyException(PREFIX + ".max-messages", this.maxMessages,
					"a limit cannot be negative",
					"Set " + PREFIX + ".max-messages to a number of messages such as 40, or 0 for no count limit.");
		}
		if (!(this.trimTo > 0 && this.trimTo <= 1)) {
			throw new InvalidResourcePropertyException(PREFIX + ".trim-to", this.trimTo,
					"the low-water mark is a fraction of the limit, above 0 and at most 1",
					"Set " + PREFIX + ".trim-to to a fraction such as 0.7 (1 trims to the limit itself, "
							+ "which moves the start of the prompt on almost every call).");
		}
		this.summarize.validate();
	}

	/**
	 * Summarization of the trimmed turns.
	 */
	public static class Summarize {

		/**
		 * Whether to replace trimmed turns with a running summary made by the summary
		 * model.
		 */
		private boolean enabled = false;

		/**
		 * Model that writes the summaries, called through the application's chat model; a
		 * cheap one is enough.
		 */
		private String model = "gpt-4o-mini";

		/**
		 * Most a call waits for its summary; after it, the call goes on with the history
		 * trimmed but not summarized.
		 */
		private Duration timeout = ChatModelHistorySummarizer.DEFAULT_TIMEOUT;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getModel() {
			return this.model;
		}

		public void setModel(String model) {
			this.model = model;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		void validate() {
			if (!StringUtils.hasText(this.model)) {
				throw new InvalidResourcePropertyException(PREFIX + ".summarize.model", this.model,
						"summaries need a model", "Set " + PREFIX + ".summarize.model to a model name such as "
								+ "gpt-4o-mini, or set " + PREFIX + ".summarize.enabled=false.");
			}
			if (this.timeout == null || this.timeout.isNegative() || this.timeout.isZero()) {
				throw new InvalidResourcePropertyException(PREFIX + ".summarize.timeout", this.timeout,
						"a call must wait a positive time for its summary",
						"Set " + PREFIX + ".summarize.timeout to a duration such as 10s.");
			}
		}

	}

}
