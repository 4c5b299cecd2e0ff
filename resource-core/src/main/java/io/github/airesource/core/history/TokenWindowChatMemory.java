package io.github.airesource.core.history;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.airesource.core.tokens.PromptTokens;
import io.github.airesource.core.tokens.TokenCounter;

import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * A {@link ChatMemory} that keeps each conversation under a token limit at storage time,
 * over any {@link ChatMemoryRepository}: the alternative to the {@link HistoryAdvisor}
 * for applications that prefer their memory itself to stay small. Spring AI's
 * {@code MessageWindowChatMemory} counts messages; this one counts tokens, with the
 * application's {@link TokenCounter} (messages seen before come from its memo).
 *
 * <p>
 * It trims as the advisor does: whole turns from the oldest, an assistant message with
 * tool calls together with its tool responses, every system message and the latest turn
 * kept; and when the conversation goes over {@code maxTokens} it is trimmed down to
 * {@code trimTo} of it, so the stored history (and the prompts built from it) keeps the
 * same start until the limit is reached again, which keeps the provider's prompt cache
 * warm. A new system message replaces the stored ones, as in
 * {@code MessageWindowChatMemory}. Dropped turns are gone: summarization needs the
 * advisor.
 */
public final class TokenWindowChatMemory implements ChatMemory {

	private final ChatMemoryRepository repository;

	private final TokenCounter tokenCounter;

	@Nullable
	private final String model;

	private final int maxTokens;

	private final int maxMessages;

	private final int lowTokens;

	private final int lowMessages;

	private TokenWindowChatMemory(Builder builder) {
		this.repository = builder.repository;
		this.tokenCounter = builder.tokenCounter;
		this.model = builder.model;
		this.maxTokens = builder.maxTokens;
		this.maxMessages = builder.maxMessages;
		this.lowTokens = (int) Math.floor(builder.maxTokens * builder.trimTo);
		this.lowMessages = (builder.maxMessages > 0)
				? Math.max(1, (int) Math.floor(builder.maxMessages * builder.trimTo)) : 0;
	}

	/**
	 * Create a builder.
	 * @param maxTokens the most tokens a conversation's messages may have
	 * @return the builder
	 */
	public static Builder builder(int maxTokens) {
		return new Builder(maxTokens);
	}

	@Override
	public void add(String conversationId, List<Message> messages) {
		Assert.hasText(conversationId, "conversationId cannot be null or empty");
		Assert.notNull(messages, "messages cannot be null");
		Assert.noNullElements(messages, "messages cannot contain null elements");
		List<Message> stored = this.repository.findByConversationId(conversationId);
		this.repository.saveAll(conversationId, trim(merge(stored, messages)));
	}

	@Override
	public List<Message> get(String conversationId) {
		Assert.hasText(conversationId, "conversationId cannot be null or empty");
		return this.repository.findByConversationId(conversationId);
	}

	@Override
	public void clear(String conversationId) {
		Assert.hasText(conversationId, "conversationId cannot be null or empty");
		this.repository.deleteByConversationId(conversationId);
	}

	private static List<Message> merge(List<Message> stored, List<Message> added) {
		Set<Message> known = new HashSet<>(stored);
		boolean newSystem = added.stream()
			.anyMatch((message) -> message instanceof SystemMessage && !known.contains(message));
		List<Message> merged = new ArrayList<>(stored.size() + added.size());
		for (Message message : stored) {
			if (!(newSystem && message instanceof SystemMessage)) {
				merged.add(message);
			}
		}
		merged.addAll(added);
		return merged;
	}

	List<Message> trim(List<Message> messages) {
		PromptTokens tokens = this.tokenCounter.countPrompt(new Prompt(messages), this.model);
		HistoryWindow window = HistoryWindow.of(messages, tokens::messageTokens, 0);
		if (!window.over(0, this.maxTokens, this.maxMessages, 0)) {
			return messages;
		}
		int unit = window.fit(0, this.lowTokens, this.lowMessages, 0);
		int firstKept = window.firstKept(unit);
		List<Message> kept = new ArrayList<>(messages.size());
		for (int i = 0; i < messages.size(); i++) {
			if (window.isKept(i, firstKept)) {
				kept.add(messages.get(i));
			}
		}
		return kept;
	}

	/**
	 * Builder for {@link TokenWindowChatMemory}.
	 */
	public static final class Builder {

		private final int maxTokens;

		private ChatMemoryRepository repository = new InMemoryChatMemoryRepository();

		@Nullable
		private TokenCounter tokenCounter;

		@Nullable
		private String model;

		private int maxMessages;

		private double trimTo = HistoryAdvisor.DEFAULT_TRIM_TO;

		private Builder(int maxTokens) {
			Assert.isTrue(maxTokens > 0, "maxTokens must be positive");
			this.maxTokens = maxTokens;
		}

		/**
		 * Set the repository that stores the messages.
		 * @param repository the repository; in memory by default
		 * @return this builder
		 */
		public Builder chatMemoryRepository(ChatMemoryRepository repository) {
			Assert.notNull(repository, "repository must not be null");
			this.repository = repository;
			return this;
		}

		/**
		 * Set the counter; share the application's so that messages are counted once.
		 * @param tokenCounter the counter
		 * @return this builder
		 */
		public Builder tokenCounter(TokenCounter tokenCounter) {
			this.tokenCounter = tokenCounter;
			return this;
		}

		/**
		 * Set the model whose encoding counts the tokens.
		 * @param model the model name, {@code null} for the counter's fallback encoding
		 * @return this builder
		 */
		public Builder model(@Nullable String model) {
			this.model = model;
			return this;
		}

		/**
		 * Set the most non-system messages a conversation may keep.
		 * @param maxMessages the limit, 0 for none
		 * @return this builder
		 */
		public Builder maxMessages(int maxMessages) {
			Assert.isTrue(maxMessages >= 0, "maxMessages must not be negative");
			this.maxMessages = maxMessages;
			return this;
		}

		/**
		 * Set the low-water mark a conversation over a limit is trimmed down to.
		 * @param trimTo the fraction of the limits, above 0 and at most 1
		 * @return this builder
		 */
		public Builder trimTo(double trimTo) {
			Assert.isTrue(trimTo > 0 && trimTo <= 1, "trimTo must be above 0 and at most 1");
			this.trimTo = trimTo;
			return this;
		}

		public TokenWindowChatMemory build() {
			if (this.tokenCounter == null) {
				this.tokenCounter = TokenCounter.create();
			}
			return new TokenWindowChatMemory(this);
		}

	}

}
