package io.github.airesource.core.tokens;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Counts tokens with jtokkit, the way OpenAI's chat format bills them.
 *
 * <p>
 * The encoding follows the model name ({@link ModelEncodings}). Text is always counted as
 * ordinary text: special tokens such as {@code <|endoftext|>} inside user input count
 * like any other characters instead of failing the call.
 *
 * <p>
 * Counts of text seen before come from a bounded Caffeine memo (weighed by text length),
 * so a conversation whose history repeats on every call costs only its new messages. Tool
 * definitions are memoized the same way. Instances are thread-safe and meant to be
 * shared.
 */
public final class TokenCounter {

	/** Default bound of the memo, in characters of remembered text. */
	public static final long DEFAULT_MEMO_MAX_CHARS = 8L * 1024 * 1024;

	private static final String[] ROLES = { "system", "user", "assistant", "tool" };

	private final EncodingType fallbackEncoding;

	private final long memoMaxChars;

	private final boolean recordMemoStats;

	private final EncodingRegistry registry;

	private final Map<EncodingType, EncodingMemo> memos = new EnumMap<>(EncodingType.class);

	private TokenCounter(Builder builder) {
		this.fallbackEncoding = builder.fallbackEncoding;
		this.memoMaxChars = builder.memoMaxChars;
		this.recordMemoStats = builder.recordMemoStats;
		// The lazy registry loads an encoding's ranks on first use, not at construction.
		this.registry = Encodings.newLazyEncodingRegistry();
		for (EncodingType type : EncodingType.values()) {
			this.memos.put(type, new EncodingMemo(type));
		}
	}

	/**
	 * Create a counter with the default fallback encoding ({@code o200k_base}) and memo
	 * size.
	 * @return a new counter
	 */
	public static TokenCounter create() {
		return builder().build();
	}

	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the encoding used for a model.
	 * @param model the model name, may be {@code null}
	 * @return the encoding
	 */
	public EncodingType encodingFor(@Nullable String model) {
		return ModelEncodings.forModel(model, this.fallbackEncoding);
	}

	/**
	 * Count plain text, as ordinary text, for a model.
	 * @param text the text
	 * @param model the model name, may be {@code null}
	 * @return the number of tokens
	 */
	public int countText(@Nullable String text, @Nullable String model) {
		return countText(text, encodingFor(model));
	}

	/**
	 * Count plain text, as ordinary text, with an encoding.
	 * @param text the text
	 * @param encoding the encoding
	 * @return the number of tokens
	 */
	public int countText(@Nullable String text, EncodingType encoding) {
		if (text == null || text.isEmpty()) {
			return 0;
		}
		return this.memos.get(encoding).count(text);
	}

	/**
	 * Count a whole prompt as the provider will bill it: every message with the
	 * chat-format overheads, tool definitions from the prompt's tool-calling options, and
	 * the reply priming.
	 * @param prompt the prompt
	 * @param model the model name used to choose the encoding, may be {@code null}
	 * @return the count, per message
	 */
	public PromptTokens countPrompt(Prompt prompt, @Nullable String model) {
		EncodingType encoding = encodingFor(model);
		ChatFormat format = ChatFormat.of(encoding);
		List<Message> messages = prompt.getInstructions();
		int[] perMessage = new int[messages.size()];
		for (int i = 0; i < perMessage.length; i++) {
			perMessage[i] = countMessage(messages.get(i), model, encoding, format);
		}
		int tools = countToolDefinitions(toolDefinitions(prompt), encoding);
		return new PromptTokens(messages, encoding, perMessage, tools, format.replyPriming());
	}

	/**
	 * Count messages given in OpenAI's chat format, including the reply priming, as
	 * OpenAI's cookbook does.
	 * @param messages the messages
	 * @param model the model name, may be {@code null}
	 * @return the prompt tokens
	 */
	public int countChat(List<ChatFormatMessage> messages, @Nullable String model) {
		EncodingType encoding = encodingFor(model);
		ChatFormat format = ChatFormat.of(encoding);
		int tokens = format.replyPriming();
		for (ChatFormatMessage message : messages) {
			tokens += countFormatted(message.role(), message.name(), message.content(), encoding, format);
		}
		return tokens;
	}

	/**
	 * Count tool definitions as the provider bills them, including the fixed end that all
	 * definitions share.
	 * @param definitions the definitions
	 * @param encoding the encoding
	 * @return the tokens, 0 without definitions
	 */
	public int countToolDefinitions(List<ToolDefinition> definitions, EncodingType encoding) {
		if (definitions.isEmpty()) {
			return 0;
		}
		EncodingMemo memo = this.memos.get(encoding);
		int tokens = ChatFormat.of(encoding).functionsEnd();
		for (ToolDefinition definition : definitions) {
			tokens += memo.tools.get(definition,
					(key) -> ToolDefinitionTokens.countOne(key, ChatFormat.of(encoding), memo::count));
		}
		return tokens;
	}

	/**
	 * Return hit and miss counts of the text memo, over all encodings. Counts are kept
	 * only when the counter was built with {@link Builder#recordMemoStats(boolean)}.
	 * @return the statistics
	 */
	public CacheStats memoStats() {
		CacheStats total = CacheStats.empty();
		for (EncodingMemo memo : this.memos.values()) {
			total = total.plus(memo.texts.stats());
		}
		return total;
	}

	private int countMessage(Message message, @Nullable String model, EncodingType encoding, ChatFormat format) {
		return switch (message.getMessageType()) {
			case SYSTEM -> countFormatted("system", null, message.getText(), encoding, format);
			case USER -> countFormatted("user", null, message.getText(), encoding, format)
					+ countMedia((message instanceof UserMessage user) ? user.getMedia() : List.of(), model);
			case ASSISTANT -> countAssistant(message, encoding, format);
			case TOOL -> countToolResponses(message, encoding, format);
		};
	}

	private int countAssistant(Message message, EncodingType encoding, ChatFormat format) {
		int tokens = countFormatted("assistant", null, message.getText(), encoding, format);
		if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
			for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
				tokens += ChatFormat.TOOL_CALL_OVERHEAD + countText(call.name(), encoding)
						+ countText(call.arguments(), encoding);
			}
		}
		return tokens;
	}

	private int countToolResponses(Message message, EncodingType encoding, ChatFormat format) {
		if (!(message instanceof ToolResponseMessage toolMessage)) {
			return countFormatted("tool", null, message.getText(), encoding, format);
		}
		// getText() of a tool response message is empty: the data is in the responses,
		// and
		// Spring AI's OpenAI client sends each one as its own "tool" message with a name.
		int tokens = 0;
		for (ToolResponseMessage.ToolResponse response : toolMessage.getResponses()) {
			tokens += countFormatted("tool", response.name(), response.responseData(), encoding, format);
		}
		return tokens;
	}

	private int countFormatted(String role, @Nullable String name, @Nullable String content, EncodingType encoding,
			ChatFormat format) {
		EncodingMemo memo = this.memos.get(encoding);
		int tokens = format.tokensPerMessage() + memo.role(role) + countText(content, encoding);
		if (name != null && !name.isEmpty()) {
			tokens += format.tokensPerName() + countText(name, encoding);
		}
		return tokens;
	}

	private int countMedia(List<Media> media, @Nullable String model) {
		int tokens = 0;
		for (Media item : media) {
			if (item.getMimeType() != null && "image".equals(item.getMimeType().getType())) {
				tokens += ImageTokens.count(model, item.getData());
			}
		}
		return tokens;
	}

	private static List<ToolDefinition> toolDefinitions(Prompt prompt) {
		if (prompt.getOptions() instanceof ToolCallingChatOptions options) {
			List<ToolCallback> callbacks = options.getToolCallbacks();
			if (callbacks != null && !callbacks.isEmpty()) {
				return callbacks.stream().map(ToolCallback::getToolDefinition).toList();
			}
		}
		return List.of();
	}

	/**
	 * The memo of one encoding. Keys are the texts themselves: history messages are the
	 * same String instances call after call, whose hash codes are cached, so a hit costs
	 * a hash lookup and a reference comparison.
	 */
	private final class EncodingMemo {

		private final EncodingType type;

		private final Cache<String, Integer> texts;

		private final Cache<ToolDefinition, Integer> tools;

		private volatile Encoding encoding;

		private volatile int[] roleTokens;

		EncodingMemo(EncodingType type) {
			this.type = type;
			Caffeine<String, Integer> texts = Caffeine.newBuilder()
				.maximumWeight(TokenCounter.this.memoMaxChars)
				.weigher((String text, Integer count) -> text.length());
			this.texts = (TokenCounter.this.recordMemoStats ? texts.recordStats() : texts).build();
			this.tools = Caffeine.newBuilder().maximumSize(1024).build();
		}

		int count(String text) {
			if (TokenCounter.this.memoMaxChars == 0) {
				return encoding().countTokensOrdinary(text);
			}
			Integer known = this.texts.getIfPresent(text);
			if (known != null) {
				return known;
			}
			int count = encoding().countTokensOrdinary(text);
			this.texts.put(text, count);
			return count;
		}

		int role(String role) {
			int[] known = this.roleTokens;
			if (known == null) {
				known = new int[ROLES.length];
				for (int i = 0; i < ROLES.length; i++) {
					known[i] = encoding().countTokensOrdinary(ROLES[i]);
				}
				this.roleTokens = known;
			}
			for (int i = 0; i < ROLES.length; i++) {
				if (ROLES[i].equals(role)) {
					return known[i];
				}
			}
			return count(role);
		}

		private Encoding encoding() {
			Encoding current = this.encoding;
			if (current == null) {
				current = TokenCounter.this.registry.getEncoding(this.type);
				this.encoding = current;
			}
			return current;
		}

	}

	/**
	 * Builder for {@link TokenCounter}.
	 */
	public static final class Builder {

		private EncodingType fallbackEncoding = EncodingType.O200K_BASE;

		private long memoMaxChars = DEFAULT_MEMO_MAX_CHARS;

		private boolean recordMemoStats;

		private Builder() {
		}

		/**
		 * Keep hit and miss counts of the memo, see {@link TokenCounter#memoStats()}.
		 * @param recordMemoStats whether to count
		 * @return this builder
		 */
		public Builder recordMemoStats(boolean recordMemoStats) {
			this.recordMemoStats = recordMemoStats;
			return this;
		}

		/**
		 * Set the encoding for models this library does not recognise.
		 * @param fallbackEncoding the encoding
		 * @return this builder
		 */
		public Builder fallbackEncoding(EncodingType fallbackEncoding) {
			Assert.notNull(fallbackEncoding, "fallbackEncoding must not be null");
			this.fallbackEncoding = fallbackEncoding;
			return this;
		}

		/**
		 * Bound the memo by the total length of the texts it remembers.
		 * @param memoMaxChars the bound in characters, 0 to disable memoization
		 * @return this builder
		 */
		public Builder memoMaxChars(long memoMaxChars) {
			Assert.isTrue(memoMaxChars >= 0, "memoMaxChars must not be negative");
			this.memoMaxChars = memoMaxChars;
			return this;
		}

		public TokenCounter build() {
			return new TokenCounter(this);
		}

	}

}
