package io.github.airesource.sample;

import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A chat service that uses the AI Resource starter the way an application would: every
 * {@code ChatClient} call is accounted for, with no resource code in the application.
 * Without {@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL} it answers with a demo model.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	/**
	 * Chat memory that remembers whole conversations (up to 1,000 messages): the
	 * starter's history trimming keeps the prompt under its token limit, with a stable
	 * cut and a summary. Spring AI's default window of 20 messages would drop one message
	 * per turn and move the start of every prompt, which defeats the provider's prompt
	 * cache.
	 * @param repository the auto-configured repository
	 * @return the chat memory
	 */
	@Bean
	ChatMemory chatMemory(ChatMemoryRepository repository) {
		return MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(1000).build();
	}

}
