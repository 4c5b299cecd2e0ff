package io.github.airesource.core.history;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.tokens.TokenCounter;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token-window chat memory: trimming at storage time.
 */
class TokenWindowChatMemoryTests {

	private final TokenCounter counter = TokenCounter.create();

	private final InMemoryChatMemoryRepository repository = new InMemoryChatMemoryRepository();

	@Test
	void whenAConversationGrowsThenTheMemoryKeepsATokenWindowOfWholeTurnsWithItsSystemMessage() {
		int maxTokens = 1000;
		TokenWindowChatMemory memory = TokenWindowChatMemory.builder(maxTokens)
			.chatMemoryRepository(this.repository)
			.tokenCounter(this.counter)
			.build();
		memory.add("c", new SystemMessage("You are a travel assistant."));
		List<Integer> sizes = new ArrayList<>();
		int starts = 0;
		Message first = null;
		for (int turn = 1; turn <= 30; turn++) {
			memory.add("c", new UserMessage(HistoryAdvisorTests.question(turn)));
			memory.add("c", new AssistantMessage(HistoryAdvisorTests.answer(turn)));
			List<Message> kept = memory.get("c");
			assertThat(tokens(kept)).as("turn %d", turn).isLessThanOrEqualTo(maxTokens);
			assertThat(kept.get(0)).isInstanceOf(SystemMessage.class);
			assertThat(kept.get(1).getMessageType()).isEqualTo(MessageType.USER);
			assertThat(kept.get(kept.size() - 1).getText()).isEqualTo(HistoryAdvisorTests.answer(turn));
			if (first != null && !first.getText().equals(kept.get(1).getText())) {
				starts++;
			}
			first = kept.get(1);
			sizes.add(kept.size());
		}
		// Trimmed to the low-water mark, the start then holds for several turns; a
		// window trimmed to the limit would move it on every turn after the first trim.
		assertThat(starts).isBetween(2, 8);
		assertThat(sizes.stream().mapToInt(Integer::intValue).max().getAsInt()).isLessThan(2 * 15 + 2);
	}

	@Test
	void whenMaxMessagesIsSetThenTheMemoryKeepsAtMostThatManyNonSystemMessages() {
		TokenWindowChatMemory memory = TokenWindowChatMemory.builder(100_000)
			.maxMessages(10)
			.chatMemoryRepository(this.repository)
			.build();
		for (int turn = 1; turn <= 12; turn++) {
			memory.add("c", List.of(new UserMessage(HistoryAdvisorTests.question(turn)),
					new AssistantMessage(HistoryAdvisorTests.answer(turn))));
			assertThat(memory.get("c")).hasSizeLessThanOrEqualTo(10);
		}
		memory.clear("c");
		assertThat(memory.get("c")).isEmpty();
	}

	private int tokens(List<Message> messages) {
		return this.counter.countPrompt(new Prompt(messages), null).total()
				- this.counter.countPrompt(new Prompt(List.of()), null).total();
	}

}
