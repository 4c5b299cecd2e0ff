package io.github.airesource.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.usage.UsageRecord;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.context.ApplicationContext;

/**
 * What the end-to-end tests of faults and bad input make and read: a client from the
 * auto-configured builder, the usage record of an answer, the calls counted by outcome,
 * and a conversation long enough to be trimmed.
 */
final class EndToEndCalls {

	private EndToEndCalls() {
	}

	/**
	 * Build a client from the application's auto-configured builder, with every advisor
	 * of the starter.
	 * @param context the application
	 * @return the client
	 */
	static ChatClient client(ApplicationContext context) {
		return context.getBean(ChatClient.Builder.class).build();
	}

	/**
	 * Return the usage record the starter put into an answer's context.
	 * @param response the answer
	 * @return the record
	 */
	static UsageRecord usageOf(ChatClientResponse response) {
		return (UsageRecord) response.context().get(ResourceContextKeys.USAGE);
	}

	/**
	 * Return the calls {@code ai.resource.calls} counted with an outcome, over every
	 * model.
	 * @param context the application
	 * @param outcome the outcome tag
	 * @return the count
	 */
	static double calls(ApplicationContext context, String outcome) {
		return context.getBean(MeterRegistry.class)
			.get("ai.resource.calls")
			.tags("outcome", outcome)
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

	/**
	 * A system message and eight turns about Lisbon, several hundred tokens; the question
	 * goes after them: over a history limit of a few hundred tokens.
	 * @return the messages
	 */
	static List<Message> longConversation() {
		List<Message> history = new ArrayList<>();
		history.add(new SystemMessage("You are a helpful travel assistant."));
		for (int turn = 1; turn <= 8; turn++) {
			history.add(new UserMessage("Turn " + turn + ": tell me about the museums, parks and cafes of Lisbon, "
					+ "and which of them are open on Sunday mornings in spring."));
			history.add(new AssistantMessage("Turn " + turn + ": Lisbon has the Gulbenkian, the Tile Museum, "
					+ "Estrela park and many cafes, most of them open on Sunday mornings."));
		}
		return history;
	}

}
