package io.github.airesource.core.tokens;

import java.util.Arrays;
import java.util.List;

import com.knuddels.jtokkit.api.EncodingType;
import org.springframework.ai.chat.messages.Message;

/**
 * The token count of one prompt, per message, as it is kept in the request context under
 * {@code ai.resource.prompt-tokens} so that each call is counted once.
 *
 * <p>
 * {@link #total()} is what the provider will report as prompt tokens: every message with
 * its chat-format overhead, the tool definitions and the tokens that prime the reply.
 * Advisors that drop messages (history trimming) can subtract {@link #messageTokens(int)}
 * instead of counting again.
 */
public final class PromptTokens {

	private final List<Message> messages;

	private final EncodingType encoding;

	private final int[] messageTokens;

	private final int toolTokens;

	private final int replyPriming;

	private final int total;

	PromptTokens(List<Message> messages, EncodingType encoding, int[] messageTokens, int toolTokens, int replyPriming) {
		this.messages = messages;
		this.encoding = encoding;
		this.messageTokens = messageTokens;
		this.toolTokens = toolTokens;
		this.replyPriming = replyPriming;
		this.total = Arrays.stream(messageTokens).sum() + toolTokens + replyPriming;
	}

	/**
	 * Return the count of another prompt with the same tool definitions and encoding,
	 * whose messages were counted already: an advisor that drops or adds messages
	 * (history trimming) passes the counts it knows instead of counting again.
	 * @param messages the new prompt's messages, the instances that will be sent
	 * @param messageTokens the tokens of each of them, overhead included
	 * @return the count
	 */
	public PromptTokens withMessages(List<Message> messages, int[] messageTokens) {
		if (messages.size() != messageTokens.length) {
			throw new IllegalArgumentException(
					"one count per message: " + messages.size() + " messages, " + messageTokens.length + " counts");
		}
		return new PromptTokens(messages, this.encoding, messageTokens, this.toolTokens, this.replyPriming);
	}

	/**
	 * Return the prompt's tokens as the provider counts them.
	 * @return the total
	 */
	public int total() {
		return this.total;
	}

	/**
	 * Return the number of counted messages.
	 * @return the message count
	 */
	public int messageCount() {
		return this.messageTokens.length;
	}

	/**
	 * Return the tokens of one message, overhead included.
	 * @param index the message index in the prompt
	 * @return the tokens
	 */
	public int messageTokens(int index) {
		return this.messageTokens[index];
	}

	/**
	 * Return the tokens of the tool definitions sent with the prompt.
	 * @return the tokens, 0 without tools
	 */
	public int toolTokens() {
		return this.toolTokens;
	}

	/**
	 * Return the fixed tokens that prime the reply.
	 * @return the tokens
	 */
	public int replyPriming() {
		return this.replyPriming;
	}

	/**
	 * Return the encoding the count was made with.
	 * @return the encoding
	 */
	public EncodingType encoding() {
		return this.encoding;
	}

	/**
	 * Whether this count was made for exactly these message instances with this encoding.
	 * Advisors that change the prompt create new messages, so a changed prompt is never
	 * mistaken for the counted one.
	 * @param messages the prompt's messages
	 * @param encoding the encoding wanted
	 * @return whether the count can be reused
	 */
	public boolean isFor(List<Message> messages, EncodingType encoding) {
		if (this.encoding != encoding || this.messages.size() != messages.size()) {
			return false;
		}
		for (int i = 0; i < messages.size(); i++) {
			if (this.messages.get(i) != messages.get(i)) {
				return false;
			}
		}
		return true;
	}

	@Override
	public String toString() {
		return "PromptTokens[total=" + this.total + ", messages=" + this.messageTokens.length + ", tools="
				+ this.toolTokens + ", encoding=" + this.encoding.getName() + "]";
	}

}
