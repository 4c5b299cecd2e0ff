package io.github.airesource.core.history;

import org.springframework.lang.Nullable;

/**
 * Keeps the history state of each conversation (its {@link HistoryCut}): in memory
 * ({@link InMemoryHistoryStore}) or in Redis, shared by every instance. Implementations
 * are thread-safe, bounded, and forget conversations that stay idle; a forgotten
 * conversation only costs one new cut (and one summary) on its next call.
 */
public interface HistoryStore {

	/**
	 * Return the state of a conversation.
	 * @param key the conversation
	 * @return the state, or {@code null} when none is kept
	 */
	@Nullable
	HistoryCut get(HistoryKey key);

	/**
	 * Replace the state of a conversation. A shared store may return before it has the
	 * write, as long as its own later reads see it.
	 * @param key the conversation
	 * @param cut the new state
	 */
	void put(HistoryKey key, HistoryCut cut);

	/**
	 * Forget the state of a conversation, such as after its memory was cleared.
	 * @param key the conversation
	 */
	void remove(HistoryKey key);

}
