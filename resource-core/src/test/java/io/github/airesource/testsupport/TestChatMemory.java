package io.github.airesource.testsupport;

import java.time.Duration;
import java.util.List;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;

/**
 * Spring AI's chat memory for tests: its advisor, like every {@code BaseAdvisor}, moves a
 * stream to another thread before calling the next advisor, which is what thread-bound
 * state must survive.
 */
public final class TestChatMemory {

	/** The conversation of clients built with {@link #addTo(ChatClient.Builder)}. */
	public static final String CONVERSATION = "c-1";

	private TestChatMemory() {
	}

	/**
	 * Add a {@link MessageChatMemoryAdvisor} over a fresh in-memory window memory, and
	 * the conversation id it requires ({@value #CONVERSATION}).
	 * @param builder the client builder
	 * @return the same builder
	 */
	public static ChatClient.Builder addTo(ChatClient.Builder builder) {
		ChatMemory memory = MessageWindowChatMemory.builder()
			.chatMemoryRepository(new InMemoryChatMemoryRepository())
			.build();
		return builder.defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
			.defaultAdvisors((a) -> a.param(ChatMemory.CONVERSATION_ID, CONVERSATION));
	}

	/**
	 * Stream an answer, subscribing on the calling thread, and return its text parts.
	 * @param client the client
	 * @param user the user message
	 * @return the parts, as {@code stream().content()} emits them
	 */
	public static List<String> streamContent(ChatClient client, String user) {
		return client.prompt().user(user).stream().content().collectList().block(Duration.ofSeconds(10));
	}

}
