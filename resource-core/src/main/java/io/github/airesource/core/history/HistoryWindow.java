package io.github.airesource.core.history;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.ToolResponseMessage;

/**
 * One prompt seen as history that may be trimmed: the messages that are always kept
 * (every system message, the latest user message and everything after it, such as the
 * current round of a tool loop) and the history before the latest user message, cut into
 * units that are kept or dropped whole.
 *
 * <p>
 * A unit is a turn: a user message and everything up to the next user message, which
 * keeps an assistant message with tool calls and its tool responses together (OpenAI
 * rejects a tool response without the tool call before it). Messages before the first
 * user message form a unit of their own. Units are numbered from the oldest; keeping
 * units {@code u..} drops the units before {@code u}.
 */
final class HistoryWindow {

	private final List<Message> messages;

	private final int latestUser;

	/**
	 * Indexes in {@link #messages} of the history: non-system messages before the latest
	 * user message.
	 */
	private final int[] history;

	/**
	 * Positions in {@link #history} where units start; one more entry: the history's
	 * length.
	 */
	private final int[] unitStarts;

	private final int units;

	/** Tokens of the units from each unit on; one more entry: 0. */
	private final long[] tokensFrom;

	private final int fixedTokens;

	private final int nonSystemMessages;

	private HistoryWindow(List<Message> messages, int latestUser, int[] history, int[] unitStarts, int units,
			long[] tokensFrom, int fixedTokens, int nonSystemMessages) {
		this.messages = messages;
		this.latestUser = latestUser;
		this.history = history;
		this.unitStarts = unitStarts;
		this.units = units;
		this.tokensFrom = tokensFrom;
		this.fixedTokens = fixedTokens;
		this.nonSystemMessages = nonSystemMessages;
	}

	/**
	 * See a prompt as history.
	 * @param messages the prompt's messages
	 * @param messageTokens the tokens of each message
	 * @param otherTokens the prompt's tokens that belong to no message (tool definitions,
	 * reply priming)
	 * @return the window
	 */
	static HistoryWindow of(List<Message> messages, TokensOf messageTokens, int otherTokens) {
		int size = messages.size();
		int latestUser = size;
		for (int i = size - 1; i >= 0; i--) {
			if (messages.get(i).getMessageType() == MessageType.USER) {
				latestUser = i;
				break;
			}
		}
		int[] history = new int[latestUser];
		int[] unitStarts = new int[latestUser + 1];
		int[] unitTokens = new int[latestUser];
		int count = 0;
		int units = 0;
		long fixed = otherTokens;
		int nonSystem = 0;
		for (int i = 0; i < size; i++) {
			Message message = messages.get(i);
			MessageType type = message.getMessageType();
			int tokens = messageTokens.tokens(i);
			if (type == MessageType.SYSTEM || i >= latestUser) {
				fixed += tokens;
				nonSystem += (type != MessageType.SYSTEM) ? 1 : 0;
				continue;
			}
			nonSystem++;
			if (count == 0 || type == MessageType.USER) {
				unitStarts[units++] = count;
			}
			unitTokens[units - 1] += tokens;
			history[count++] = i;
		}
		unitStarts[units] = count;
		long[] tokensFrom = new long[units + 1];
		for (int u = units - 1; u >= 0; u--) {
			tokensFrom[u] = tokensFrom[u + 1] + unitTokens[u];
		}
		return new HistoryWindow(messages, latestUser, history, unitStarts, units, tokensFrom,
				(int) Math.min(fixed, Integer.MAX_VALUE), nonSystem);
	}

	/**
	 * Return the number of units of history.
	 * @return the count
	 */
	int units() {
		return this.units;
	}

	/**
	 * Return the tokens of what is always kept: system messages, the latest user message
	 * and what follows it, tool definitions and reply priming.
	 * @return the tokens
	 */
	int fixedTokens() {
		return this.fixedTokens;
	}

	/**
	 * Return the prompt's tokens when the history is kept from a unit on.
	 * @param unit the first kept unit
	 * @param summaryTokens the tokens of the summary sent when something is dropped
	 * @return the tokens
	 */
	long tokensFrom(int unit, int summaryTokens) {
		return this.fixedTokens + ((unit > 0) ? summaryTokens : 0) + this.tokensFrom[unit];
	}

	/**
	 * Return the tokens of the history dropped when it is kept from a unit on.
	 * @param unit the first kept unit
	 * @return the tokens
	 */
	long droppedTokens(int unit) {
		return this.tokensFrom[0] - this.tokensFrom[unit];
	}

	/**
	 * Return the non-system messages sent when the history is kept from a unit on.
	 * @param unit the first kept unit
	 * @return the count
	 */
	int messagesFrom(int unit) {
		return this.nonSystemMessages - this.unitStarts[unit];
	}

	/**
	 * Return the number of history messages before a unit.
	 * @param unit the unit
	 * @return the count
	 */
	int droppedMessages(int unit) {
		return this.unitStarts[unit];
	}

	/**
	 * Whether keeping the history from a unit on goes over the limits.
	 * @param unit the first kept unit
	 * @param maxTokens the most tokens
	 * @param maxMessages the most non-system messages, 0 for no limit
	 * @param summaryTokens the tokens of the summary
	 * @return whether it is over
	 */
	boolean over(int unit, long maxTokens, int maxMessages, int summaryTokens) {
		return tokensFrom(unit, summaryTokens) > maxTokens || (maxMessages > 0 && messagesFrom(unit) > maxMessages);
	}

	/**
	 * Return the first unit from {@code from} on from which the history fits the limits,
	 * or {@link #units()} (all history dropped) when none does.
	 * @param from the first unit to try
	 * @param maxTokens the most tokens
	 * @param maxMessages the most non-system messages, 0 for no limit
	 * @param summaryTokens the tokens of the summary
	 * @return the unit
	 */
	int fit(int from, long maxTokens, int maxMessages, int summaryTokens) {
		for (int unit = from; unit < this.units; unit++) {
			if (!over(unit, maxTokens, maxMessages, summaryTokens)) {
				return unit;
			}
		}
		return this.units;
	}

	/**
	 * Return the index in the prompt of the first kept non-system message when the
	 * history is kept from a unit on.
	 * @param unit the first kept unit
	 * @return the index, or -1 when nothing but system messages is kept
	 */
	int firstKept(int unit) {
		if (unit < this.units) {
			return this.history[this.unitStarts[unit]];
		}
		return (this.latestUser < this.messages.size()) ? this.latestUser : -1;
	}

	/**
	 * Return the fingerprint of the first kept unit, its messages together, when the
	 * history is kept from a unit on. A whole turn rather than its first message, so that
	 * a question asked twice in a conversation still makes two different anchors (their
	 * answers differ).
	 * @param unit the first kept unit
	 * @return the fingerprint, 0 when none is kept
	 */
	long anchor(int unit) {
		if (unit >= this.units) {
			int index = firstKept(unit);
			return (index >= 0) ? fingerprint(this.messages.get(index)) : 0;
		}
		long hash = 17;
		for (int position = this.unitStarts[unit]; position < this.unitStarts[unit + 1]; position++) {
			hash = hash * 1_000_003L + fingerprint(this.messages.get(this.history[position]));
		}
		// 0 means "no message".
		return (hash != 0) ? hash : 1;
	}

	/**
	 * Find a remembered cut in this prompt: where the message it starts at is now.
	 *
	 * <p>
	 * The cut's {@code dropped} count is where the anchor was when the cut was made; it
	 * is not rewritten while the cut stays put (that would cost a store write on every
	 * call), so the anchor is looked for from there: first at that position and before
	 * it, nearest first, because a window memory forgets the oldest messages and moves
	 * the anchor towards the start; then after it. Nearest first, a text repeated in the
	 * conversation (the same question asked twice) resolves to the occurrence the cut was
	 * made at, not an older one.
	 * @param cut the cut
	 * @return the first kept unit, or -1 when the cut's message is not at the start of a
	 * unit (the conversation was cleared or rewritten)
	 */
	int locate(HistoryCut cut) {
		int hint = firstUnitAtOrAfter(cut.dropped());
		for (int unit = Math.min(hint, this.units); unit >= 0; unit--) {
			if (anchor(unit) == cut.anchor()) {
				return unit;
			}
		}
		for (int unit = hint + 1; unit <= this.units; unit++) {
			if (anchor(unit) == cut.anchor()) {
				return unit;
			}
		}
		return -1;
	}

	/**
	 * Return the first unit that starts at a history position or after it, {@link #units}
	 * when none does.
	 */
	private int firstUnitAtOrAfter(int position) {
		int low = 0;
		int high = this.units;
		while (low < high) {
			int mid = (low + high) >>> 1;
			if (this.unitStarts[mid] < position) {
				low = mid + 1;
			}
			else {
				high = mid;
			}
		}
		return low;
	}

	/**
	 * Return the history messages between two positions.
	 * @param from the first position in the history, inclusive
	 * @param to the last position, exclusive
	 * @return the messages
	 */
	List<Message> historyMessages(int from, int to) {
		Message[] range = new Message[Math.max(0, to - from)];
		for (int i = from; i < to; i++) {
			range[i - from] = this.messages.get(this.history[i]);
		}
		return List.of(range);
	}

	/**
	 * Whether a message of the prompt is kept when the history is kept from a unit on.
	 * @param index the message index in the prompt
	 * @param firstKept the index of the first kept history message, from
	 * {@link #firstKept(int)}
	 * @return whether it is kept
	 */
	boolean isKept(int index, int firstKept) {
		if (index >= this.latestUser || this.messages.get(index).getMessageType() == MessageType.SYSTEM) {
			return true;
		}
		return firstKept >= 0 && index >= firstKept;
	}

	/**
	 * Return a fingerprint of a message: its type, text and tool-call ids. Message
	 * instances differ from call to call when the memory is a database, their content
	 * does not.
	 * @param message the message
	 * @return the fingerprint
	 */
	static long fingerprint(Message message) {
		long hash = message.getMessageType().ordinal() + 1;
		String text = message.getText();
		hash = hash * 1_000_003L + ((text != null) ? text.hashCode() : 0) + ((text != null) ? text.length() : 0) * 31L;
		if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
			for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
				hash = hash * 1_000_003L + String.valueOf(call.id()).hashCode();
			}
		}
		else if (message instanceof ToolResponseMessage tool) {
			for (ToolResponseMessage.ToolResponse response : tool.getResponses()) {
				hash = hash * 1_000_003L + String.valueOf(response.id()).hashCode();
			}
		}
		// 0 means "no message".
		return (hash != 0) ? hash : 1;
	}

	/**
	 * The token count of each message of a prompt.
	 */
	@FunctionalInterface
	interface TokensOf {

		int tokens(int index);

	}

}
