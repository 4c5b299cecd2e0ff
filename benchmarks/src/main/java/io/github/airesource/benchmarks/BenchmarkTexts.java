package io.github.airesource.benchmarks;

import java.util.ArrayList;
import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * Deterministic English-like texts of given sizes, so that runs compare like with like.
 */
public final class BenchmarkTexts {

	private static final String[] WORDS = { "the", "customer", "asked", "about", "their", "order", "which", "was",
			"shipped", "on", "monday", "and", "should", "arrive", "before", "friday", "please", "check", "tracking",
			"number", "for", "details", "we", "apologise", "delay", "caused", "by", "weather", "in", "region", "refund",
			"policy", "allows", "returns", "within", "thirty", "days", "of", "delivery", "if", "item", "is", "unused",
			"account", "settings", "can", "be", "changed", "at", "any", "time", "from", "profile" };

	private BenchmarkTexts() {
	}

	/**
	 * Return a text of about the given length.
	 * @param chars the length in characters
	 * @param seed varies the words
	 * @return the text
	 */
	public static String text(int chars, int seed) {
		StringBuilder text = new StringBuilder(chars + 16);
		int i = seed;
		while (text.length() < chars) {
			text.append(WORDS[Math.floorMod(i * 31 + 7, WORDS.length)]).append(((i % 13) == 12) ? ". " : " ");
			i++;
		}
		return text.substring(0, chars);
	}

	/**
	 * Return a 2 KB prompt: a 500-character system message and a 1548-character question.
	 * @return the messages
	 */
	static List<Message> twoKilobytePrompt() {
		return List.of(new SystemMessage(text(500, 1)), new UserMessage(text(1548, 2)));
	}

	/**
	 * Return a conversation: a system message and alternating questions and answers.
	 * @param messages how many messages
	 * @return the messages
	 */
	static List<Message> conversation(int messages) {
		List<Message> history = new ArrayList<>();
		history.add(new SystemMessage(text(400, 0)));
		for (int i = 1; i < messages; i++) {
			history.add((i % 2 == 1) ? new UserMessage(text(200, i)) : new AssistantMessage(text(600, i)));
		}
		return history;
	}

}
