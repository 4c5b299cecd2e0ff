package io.github.airesource.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.github.airesource.core.tokens.TokenCounter;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * A stand-in chat model for running the sample without a model provider. It answers every
 * prompt with the same canned text around the user's last message, and reports the usage
 * OpenAI would bill for it, counted with the starter's {@link TokenCounter} as for
 * {@code gpt-4o-mini}, so that accounting, metrics and costs show realistic figures.
 *
 * <p>
 * Streams send the answer word by word, a little apart so that a terminal shows it
 * arriving; the last chunk carries the usage, as OpenAI's final chunk does with stream
 * usage on.
 */
public final class DemoChatModel implements ChatModel {

	/** The model name reported in responses and default options. */
	public static final String MODEL = "demo-model";

	/** The model whose tokenizer and chat format the usage figures follow. */
	static final String BILLED_AS = "gpt-4o-mini";

	private static final Duration WORD_INTERVAL = Duration.ofMillis(15);

	/** How many words of a question the canned answer quotes. */
	private static final int QUOTED_WORDS = 12;

	private final TokenCounter tokenCounter;

	private final AtomicLong ids = new AtomicLong();

	public DemoChatModel(TokenCounter tokenCounter) {
		Assert.notNull(tokenCounter, "tokenCounter must not be null");
		this.tokenCounter = tokenCounter;
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		String answer = answer(prompt);
		return response(nextId(), answer, "STOP", usage(prompt, answer));
	}

	@Override
	public Flux<ChatResponse> stream(Prompt prompt) {
		return Flux.defer(() -> {
			String id = nextId();
			String answer = answer(prompt);
			List<String> words = words(answer);
			Usage usage = usage(prompt, answer);
			List<ChatResponse> chunks = new ArrayList<>(words.size());
			for (int i = 0; i < words.size() - 1; i++) {
				chunks.add(response(id, words.get(i), null, null));
			}
			chunks.add(response(id, words.get(words.size() - 1), "STOP", usage));
			return Flux.fromIterable(chunks).delayElements(WORD_INTERVAL);
		});
	}

	@Override
	public ChatOptions getDefaultOptions() {
		return ChatOptions.builder().model(MODEL).build();
	}

	/**
	 * Return the canned answer to a prompt.
	 * @param prompt the prompt
	 * @return the answer
	 */
	static String answer(Prompt prompt) {
		String question = shortened(prompt.getUserMessage().getText());
		long earlier = prompt.getInstructions()
			.stream()
			.filter((message) -> message.getMessageType() == MessageType.USER
					|| message.getMessageType() == MessageType.ASSISTANT)
			.count() - 1;
		return "[demo model] You asked: \"" + question + "\". This is a canned answer: no model provider is "
				+ "configured, so the sample answers by itself. Its token usage is counted as " + BILLED_AS
				+ " would bill it. Messages remembered from this conversation: " + Math.max(0, earlier) + ".";
	}

	/**
	 * Return the first words of a question, so that answers (and the summaries the
	 * starter asks this model for) stay short whatever the question's length.
	 */
	private static String shortened(String question) {
		String[] words = question.trim().split("\\s+");
		return (words.length <= QUOTED_WORDS) ? question
				: String.join(" ", Arrays.copyOf(words, QUOTED_WORDS)) + " ...";
	}

	/**
	 * Split text into words that keep their following whitespace, so the pieces join up
	 * to the text exactly.
	 */
	static List<String> words(String text) {
		return List.of(text.split("(?<=\\s)(?=\\S)"));
	}

	private Usage usage(Prompt prompt, String answer) {
		int promptTokens = this.tokenCounter.countPrompt(prompt, BILLED_AS).total();
		int completionTokens = this.tokenCounter.countText(answer, BILLED_AS);
		return new DefaultUsage(promptTokens, completionTokens);
	}

	private String nextId() {
		return "demo-" + this.ids.incrementAndGet();
	}

	private static ChatResponse response(String id, String text, @Nullable String finishReason, @Nullable Usage usage) {
		ChatGenerationMetadata.Builder generationMetadata = ChatGenerationMetadata.builder();
		if (finishReason != null) {
			generationMetadata.finishReason(finishReason);
		}
		ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder().id(id).model(MODEL);
		if (usage != null) {
			metadata.usage(usage);
		}
		return new ChatResponse(List.of(new Generation(new AssistantMessage(text), generationMetadata.build())),
				metadata.build());
	}

}
