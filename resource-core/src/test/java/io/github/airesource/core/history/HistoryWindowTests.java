package io.github.airesource.core.history;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finding a remembered cut again in a prompt whose older messages the memory forgot.
 */
class HistoryWindowTests {

	@Test
	void whenTheMemoryForgotMessagesBeforeTheCutThenItIsFoundAtItsNewPosition() {
		List<Message> before = messages("q1", "a1", "q2", "a2", "q3", "a3", "q4", "a4", "q5");
		HistoryWindow made = window(before);
		HistoryCut cut = new HistoryCut(made.anchor(2), made.droppedMessages(2), null, 0);
		assertThat(cut.dropped()).isEqualTo(4);

		// A window memory forgot the first turn: the anchor is two messages earlier.
		HistoryWindow later = window(messages("q2", "a2", "q3", "a3", "q4", "a4", "q5", "a5", "q6"));
		int unit = later.locate(cut);

		assertThat(unit).isEqualTo(1);
		assertThat(later.anchor(unit)).isEqualTo(cut.anchor());
		assertThat(later.droppedMessages(unit)).isEqualTo(2);
	}

	@Test
	void whenTheCutTextOccursTwiceThenTheOccurrenceNearestToWhereTheCutWasMadeIsFound() {
		// The same question asked twice; the cut was made at the second time.
		HistoryWindow made = window(messages("x", "y", "q1", "a1", "q1", "a1", "q2", "a2", "q3"));
		HistoryCut cut = new HistoryCut(made.anchor(2), made.droppedMessages(2), null, 0);
		assertThat(made.locate(cut)).isEqualTo(2);

		// The memory forgot the first turn: both occurrences are still there, the cut's
		// is the second one, now at position 2.
		HistoryWindow later = window(messages("q1", "a1", "q1", "a1", "q2", "a2", "q3", "a3", "q4"));

		assertThat(later.locate(cut)).isEqualTo(1);
		assertThat(later.droppedMessages(later.locate(cut))).isEqualTo(2);
	}

	@Test
	void whenTheMemoryNoLongerHoldsTheCutMessageThenItIsNotFound() {
		HistoryWindow made = window(messages("q1", "a1", "q2", "a2", "q3"));
		HistoryCut cut = new HistoryCut(made.anchor(1), made.droppedMessages(1), null, 0);

		HistoryWindow later = window(messages("q3", "a3", "q4", "a4", "q5"));

		assertThat(later.locate(cut)).isEqualTo(-1);
	}

	/**
	 * Return a system message and the given texts, those starting with {@code q} as user
	 * messages, the others as assistant messages.
	 */
	private static List<Message> messages(String... texts) {
		List<Message> messages = new ArrayList<>();
		messages.add(new SystemMessage("You are terse."));
		for (String text : texts) {
			messages.add(text.startsWith("q") ? new UserMessage(text) : new AssistantMessage(text));
		}
		return messages;
	}

	private static HistoryWindow window(List<Message> messages) {
		return HistoryWindow.of(messages, (index) -> 10, 3);
	}

}
