package io.github.airesource.core.history;

import java.util.concurrent.atomic.LongAdder;

/**
 * What history trimming and summarization did since start, in this instance: the figures
 * behind the {@code history} part of the {@code aiusage} endpoint and the
 * {@code ai.resource.history.*} metrics. Thread-safe.
 */
public final class HistoryStatistics {

	private final LongAdder trimmedCalls = new LongAdder();

	private final LongAdder trimmedMessages = new LongAdder();

	private final LongAdder trimmedTokens = new LongAdder();

	private final LongAdder summaryTokensSent = new LongAdder();

	private final LongAdder cutsMoved = new LongAdder();

	private final LongAdder summaries = new LongAdder();

	private final LongAdder summaryFailures = new LongAdder();

	private final LongAdder summaryTimeouts = new LongAdder();

	private final LongAdder storeFailures = new LongAdder();

	void trimmed(int messages, long tokens, int summaryTokens) {
		this.trimmedCalls.increment();
		this.trimmedMessages.add(messages);
		this.trimmedTokens.add(tokens);
		this.summaryTokensSent.add(summaryTokens);
	}

	void cutMoved() {
		this.cutsMoved.increment();
	}

	void summarized() {
		this.summaries.increment();
	}

	void summaryFailed() {
		this.summaryFailures.increment();
	}

	void summaryTimedOut() {
		this.summaryTimeouts.increment();
	}

	void storeFailed() {
		this.storeFailures.increment();
	}

	/**
	 * Return the calls whose history was trimmed.
	 * @return the count
	 */
	public long trimmedCalls() {
		return this.trimmedCalls.sum();
	}

	/**
	 * Return the messages left out of prompts, summed over calls.
	 * @return the count
	 */
	public long trimmedMessages() {
		return this.trimmedMessages.sum();
	}

	/**
	 * Return the tokens of the messages left out of prompts, summed over calls.
	 * @return the tokens
	 */
	public long trimmedTokens() {
		return this.trimmedTokens.sum();
	}

	/**
	 * Return the tokens of the summary messages sent in place of the left-out messages,
	 * summed over calls.
	 * @return the tokens
	 */
	public long summaryTokensSent() {
		return this.summaryTokensSent.sum();
	}

	/**
	 * Return the prompt tokens trimming saved: those left out less the summaries sent in
	 * their place.
	 * @return the tokens, never negative
	 */
	public long savedTokens() {
		return Math.max(0, trimmedTokens() - summaryTokensSent());
	}

	/**
	 * Return how often a conversation's cut moved, each time changing the start of its
	 * prompt (a prompt-cache miss at the provider).
	 * @return the count
	 */
	public long cutsMoved() {
		return this.cutsMoved.sum();
	}

	/**
	 * Return the summaries made.
	 * @return the count
	 */
	public long summaries() {
		return this.summaries.sum();
	}

	/**
	 * Return the summaries that failed (an error from the model or no free worker).
	 * @return the count
	 */
	public long summaryFailures() {
		return this.summaryFailures.sum();
	}

	/**
	 * Return the summaries given up because they took longer than the timeout.
	 * @return the count
	 */
	public long summaryTimeouts() {
		return this.summaryTimeouts.sum();
	}

	/**
	 * Return the reads and writes of the history store that failed; the calls went on
	 * without the remembered cut.
	 * @return the count
	 */
	public long storeFailures() {
		return this.storeFailures.sum();
	}

}
