package io.github.airesource.core.usage;

import java.util.List;

import io.github.airesource.core.tokens.PromptTokens;

import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.util.Assert;

/**
 * Where a prompt's input tokens go, part by part; the parts add up to the prompt's
 * tokens.
 *
 * <ul>
 * <li>{@code system}: system messages;</li>
 * <li>{@code history}: earlier turns, every user and assistant message but the last user
 * message;</li>
 * <li>{@code user}: the last user message, and the few fixed tokens that prime the
 * reply;</li>
 * <li>{@code toolDefinitions}: the tool definitions sent with the prompt;</li>
 * <li>{@code toolResults}: tool response messages.</li>
 * </ul>
 *
 * @param system tokens of system messages
 * @param history tokens of earlier turns
 * @param user tokens of the new user message
 * @param toolDefinitions tokens of the tool definitions
 * @param toolResults tokens of tool response messages
 */
public record PromptParts(long system, long history, long user, long toolDefinitions, long toolResults) {

	/** No tokens in any part. */
	public static final PromptParts EMPTY = new PromptParts(0, 0, 0, 0, 0);

	/**
	 * Break down a counted prompt.
	 * @param tokens the prompt's count
	 * @param messages the prompt's messages, the ones that were counted
	 * @return the parts, adding up to {@code tokens.total()}
	 */
	public static PromptParts of(PromptTokens tokens, List<Message> messages) {
		Assert.isTrue(tokens.messageCount() == messages.size(), "the count must be of these messages");
		int lastUser = -1;
		for (int i = messages.size() - 1; i >= 0; i--) {
			if (messages.get(i).getMessageType() == MessageType.USER) {
				lastUser = i;
				break;
			}
		}
		long system = 0;
		long history = 0;
		long user = tokens.replyPriming();
		long toolResults = 0;
		for (int i = 0; i < messages.size(); i++) {
			int count = tokens.messageTokens(i);
			switch (messages.get(i).getMessageType()) {
				case SYSTEM -> system += count;
				case TOOL -> toolResults += count;
				case USER -> {
					if (i == lastUser) {
						user += count;
					}
					else {
						history += count;
					}
				}
				default -> history += count;
			}
		}
		return new PromptParts(system, history, user, tokens.toolTokens(), toolResults);
	}

	/**
	 * Return the sum of the parts.
	 * @return the tokens
	 */
	public long total() {
		return this.system + this.history + this.user + this.toolDefinitions + this.toolResults;
	}

	/**
	 * Return these parts scaled to another total, such as the prompt tokens the provider
	 * reported for a locally counted prompt: each part keeps its share, and the parts add
	 * up to the new total exactly (the rounding remainder goes to the largest parts).
	 * @param total the total to reach
	 * @return the scaled parts; these parts when the totals are equal; {@link #EMPTY}
	 * when the total is 0 or there is nothing to scale
	 */
	public PromptParts scaledTo(long total) {
		long sum = total();
		if (sum == total) {
			return this;
		}
		if (total <= 0 || sum <= 0) {
			return EMPTY;
		}
		long[] parts = { this.system, this.history, this.user, this.toolDefinitions, this.toolResults };
		long[] scaled = new long[parts.length];
		long[] remainders = new long[parts.length];
		long assigned = 0;
		for (int i = 0; i < parts.length; i++) {
			long product = parts[i] * total;
			scaled[i] = product / sum;
			remainders[i] = product % sum;
			assigned += scaled[i];
		}
		// Largest remainder first, so the parts add up to the total.
		for (long left = total - assigned; left > 0; left--) {
			int best = 0;
			for (int i = 1; i < parts.length; i++) {
				if (remainders[i] > remainders[best]) {
					best = i;
				}
			}
			scaled[best]++;
			remainders[best] = -1;
		}
		return new PromptParts(scaled[0], scaled[1], scaled[2], scaled[3], scaled[4]);
	}

	/**
	 * Return the part-wise sum of these parts and others.
	 * @param other the other parts
	 * @return the sum
	 */
	public PromptParts plus(PromptParts other) {
		return new PromptParts(this.system + other.system, this.history + other.history, this.user + other.user,
				this.toolDefinitions + other.toolDefinitions, this.toolResults + other.toolResults);
	}

}
