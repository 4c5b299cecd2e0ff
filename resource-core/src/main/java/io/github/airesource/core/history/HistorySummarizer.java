package io.github.airesource.core.history;

import java.util.List;

import io.github.airesource.core.scope.CallScope;
import org.springframework.ai.chat.messages.Message;
import org.springframework.lang.Nullable;

/**
 * Folds messages dropped from a conversation's prompt into its running summary. The
 * summary is incremental: the previous summary and the newly dropped messages go in, one
 * summary comes out, so each message is summarized once.
 */
@FunctionalInterface
public interface HistorySummarizer {

	/**
	 * Return the summary of a conversation's dropped messages.
	 * @param previousSummary the summary of the messages dropped before, or {@code null}
	 * @param dropped the newly dropped messages, oldest first
	 * @param scope who the conversation belongs to, for accounting
	 * @return the new summary, or {@code null} when none could be made in time: the call
	 * goes on without it, and the messages are summarized with the next ones
	 */
	@Nullable
	String summarize(@Nullable String previousSummary, List<Message> dropped, CallScope scope);

}
