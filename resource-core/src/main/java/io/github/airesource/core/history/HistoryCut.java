package io.github.airesource.core.history;

import org.springframework.lang.Nullable;

/**
 * Where a conversation's history is cut, and the running summary of what was cut.
 *
 * <p>
 * The cut is remembered by the fingerprint of the first kept turn and the number of
 * history messages before it, so that it is found again when the chat memory returns new
 * message instances (a database repository) or forgets old messages by itself (a message
 * window). The summary covers every dropped message but the last {@code unsummarized}
 * ones, which were dropped while the summarizer failed and are summarized with the next
 * cut.
 *
 * @param anchor the fingerprint of the first kept turn (its messages together)
 * @param dropped how many history messages (system messages aside) came before it when
 * the cut was made: where the anchor is looked for first (a window memory that forgets
 * old messages moves it towards the start)
 * @param summary the summary of the dropped messages, or {@code null} for none
 * @param unsummarized how many of the dropped messages, at the end of the dropped range,
 * the summary does not cover yet
 */
public record HistoryCut(long anchor, int dropped, @Nullable String summary, int unsummarized) {

	public HistoryCut {
		if (dropped < 0 || unsummarized < 0) {
			throw new IllegalArgumentException("dropped and unsummarized must not be negative");
		}
	}

}
