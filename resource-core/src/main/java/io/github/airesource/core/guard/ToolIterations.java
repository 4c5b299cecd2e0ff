package io.github.airesource.core.guard;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;

/**
 * Counts the tool iterations a call has run so far from its conversation alone, so that
 * no state has to live between the rounds of a tool loop: every round leaves an assistant
 * message with tool calls (and the tools' answers) in the conversation that the next
 * round sends, and the current turn starts at the last user message. Earlier turns of a
 * chat memory therefore do not count.
 */
public final class ToolIterations {

	private ToolIterations() {
	}

	/**
	 * Return how many rounds of tool calls the current turn of a conversation holds.
	 * @param messages the conversation, oldest first
	 * @return the assistant messages with tool calls after the last user message
	 */
	public static int count(List<Message> messages) {
		int count = 0;
		for (int i = messages.size() - 1; i >= 0; i--) {
			Message message = messages.get(i);
			if (message.getMessageType() == MessageType.USER) {
				break;
			}
			if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
				count++;
			}
		}
		return count;
	}

	/**
	 * Refuse another round of tool calls when the conversation already holds the most
	 * allowed.
	 * @param messages the conversation about to be extended by one more round
	 * @param maxIterations the most rounds allowed, 0 for no limit
	 * @throws ToolIterationLimitException when the limit is reached
	 */
	public static void checkAnother(List<Message> messages, int maxIterations) {
		if (maxIterations > 0 && count(messages) >= maxIterations) {
			throw new ToolIterationLimitException(maxIterations);
		}
	}

}
