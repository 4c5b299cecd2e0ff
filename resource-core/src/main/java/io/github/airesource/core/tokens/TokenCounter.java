package io.github.airesource.core.tokens;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * Counts of text seen before come from a memo, so a conversation whose history repeats on
 * every call costs only its new messages. Tool definitions are memoized too. The memo is
 * one Caffeine cache for every encoding, bounded by the heap its entries are estimated to
 * retain ({@link Builder#memoSize(long)}, {@link #memoRetainedBytes()}). Instances are
 * thread-safe and meant to be shared.
 */
public final class TokenCounter {

	/** Default bound of the memo: 64 MiB of estimated retained heap. */
	public static final long DEFAULT_MEMO_SIZE_BYTES = 64L * 1024 * 1024;

	private static final String[] ROLES = { "system", "user", "assistant", "tool" };

	private static final int MAX_REMEMBERED_MODELS = 256;

	private final EncodingType fallbackEncoding;

	private final EncodingRegistry registry;

	private final Map<EncodingType, EncodingTokens> encodings = new EnumMap<>(EncodingType.class);

	/** Counts by encoding and text or tool definition; {@code null} when disabled. */
	@Nullable
	private final Cache<MemoKey, Integer> memo;

	/**
	 * Encodings of the model names seen, up to {@value #MAX_REMEMBERED_MODELS}: a plain
	 * concurrent map rather than a Caffeine cache, because it is read on every call from
	 * every thread, where a cache's per-read bookkeeping costs more than the lookup, and
	 * it never needs to evict (names past the bound are simply not remembered).
	 */
	private final Map<String, EncodingType> encodingsByModel = new ConcurrentHashMap<>();

	private TokenCounter(Builder builder) {
		this.fallbackEncoding = builder.fallbackEncoding;
		// The lazy registry loads an encoding's ranks on first use, not at construction.
		this.registry = Encodings.newLazyEncodingRegistry();
		for (EncodingType type : EncodingType.values()) {
			this.encodings.put(type, new EncodingTokens(type));
		}
		this.memo = (builder.memoSize > 0) ? buildMemo(builder.memoSize, builder.recordMemoStats) : null;
	}

	private static Cache<MemoKey, Integer> buildMemo(long maximumBytes, boolean recordStats) {
		Caffeine<MemoKey, Integer> memo = Caffeine.newBuilder()
			.maximumWeight(maximumBytes)
			.weigher((MemoKey key, Integer count) -> MemoWeights.entry(key.retainedBytes(), count))
			// Maintenance on the calling thread, not a pool thread woken per burst of
			// calls.
			.executor(Runnable::run);
		return (recordStats ? memo.recordStats() : memo).build();
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
		if (model == null) {
			return this.fallbackEncoding;
		}
		// Normalizing a name allocates; a service uses a handful of models, asked on
		// every call.
		EncodingType known = this.encodingsByModel.get(model);
		if (known != null) {
			return known;
		}
		EncodingType encoding = ModelEncodings.forModel(model, this.fallbackEncoding);
		if (this.encodingsByModel.size() < MAX_REMEMBERED_MODELS) {
			this.encodingsByModel.put(model, encoding);
		}
		return encoding;
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
		return count(new TextKey(encoding, text));
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
		int tokens = ChatFormat.of(encoding).functionsEnd();
		for (ToolDefinition definition : definitions) {
			tokens += count(new ToolKey(encoding, definition));
		}
		return tokens;
	}

	/**
	 * Return hit and miss counts of the memo, texts and tool definitions of all encodings
	 * together. Counts are kept only when the counter was built with
	 * {@link Builder#recordMemoStats(boolean)}.
	 * @return the statistics
	 */
	public CacheStats memoStats() {
		return (this.memo != null) ? this.memo.stats() : CacheStats.empty();
	}

	/**
	 * Return the heap the memo is estimated to retain now, in bytes: its texts, keys,
	 * counts and Caffeine's own entries, after pending evictions have run. Never above
	 * the bound set with {@link Builder#memoSize(long)}.
	 * @return the estimated retained size in bytes, 0 when the memo is disabled
	 */
	public long memoRetainedBytes() {
		if (this.memo == null) {
			return 0;
		}
		this.memo.cleanUp();
		return this.memo.policy().eviction().map((eviction) -> eviction.weightedSize().orElse(0)).orElse(0L);
	}

	private int count(MemoKey key) {
		EncodingTokens tokens = this.encodings.get(key.encoding());
		if (this.memo == null) {
			return key.count(tokens);
		}
		Integer known = this.memo.getIfPresent(key);
		if (known != null) {
			return known;
		}
		// Counted outside the cache's lock (no Cache.get with a loader): a long text must
		// not block lookups of other keys in the same bin.
		int count = key.count(tokens);
		this.memo.put(key, count);
		return count;
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
		int tokens = format.tokensPerMessage() + role(role, encoding) + countText(content, encoding);
		if (name != null && !name.isEmpty()) {
			tokens += format.tokensPerName() + countText(name, encoding);
		}
		return tokens;
	}

	private int role(String role, EncodingType encoding) {
		int known = this.encodings.get(encoding).role(role);
		return (known >= 0) ? known : countText(role, encoding);
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
	 * One encoding, loaded on first use, and the tokens of the chat roles in it.
	 */
	private final class EncodingTokens {

		private final EncodingType type;

		private volatile Encoding encoding;

		private volatile int[] roleTokens;

		EncodingTokens(EncodingType type) {
			this.type = type;
		}

		int count(String text) {
			return encoding().countTokensOrdinary(text);
		}

		/**
		 * Return the tokens of a chat role, or -1 for a role that is not one of the four.
		 */
		int role(String role) {
			int[] known = this.roleTokens;
			if (known == null) {
				known = new int[ROLES.length];
				for (int i = 0; i < ROLES.length; i++) {
					known[i] = count(ROLES[i]);
				}
				this.roleTokens = known;
			}
			for (int i = 0; i < ROLES.length; i++) {
				if (ROLES[i].equals(role)) {
					return known[i];
				}
			}
			return -1;
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
	 * A key of the memo: what to count, in which encoding. It counts itself on a miss and
	 * knows the heap it and what it refers to retain.
	 */
	private sealed interface MemoKey permits TextKey, ToolKey {

		EncodingType encoding();

		int count(EncodingTokens tokens);

		long retainedBytes();

	}

	/**
	 * A text in an encoding. History messages are the same String instances call after
	 * call, whose hash codes the String caches, so a hit costs this small key, a hash
	 * lookup and a reference comparison.
	 *
	 * @param encoding the encoding
	 * @param text the text
	 */
	private record TextKey(EncodingType encoding, String text) implements MemoKey {

		@Override
		public int count(EncodingTokens tokens) {
			return tokens.count(this.text);
		}

		@Override
		public long retainedBytes() {
			return MemoWeights.KEY + MemoWeights.string(this.text);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof TextKey key && this.encoding == key.encoding && this.text.equals(key.text);
		}

		@Override
		public int hashCode() {
			return this.text.hashCode() * 31 + this.encoding.ordinal();
		}

	}

	/**
	 * A tool definition in an encoding. The definitions of an application's tools are
	 * usually held by their callbacks anyway; they are weighed in full all the same, so
	 * that the bound holds when they are not.
	 *
	 * @param encoding the encoding
	 * @param definition the tool definition
	 */
	private record ToolKey(EncodingType encoding, ToolDefinition definition) implements MemoKey {

		@Override
		public int count(EncodingTokens tokens) {
			// The parts of a definition are counted directly, not memoized: the
			// definition
			// as a whole is, and remembering its parts as well would only take heap.
			return ToolDefinitionTokens.countOne(this.definition, ChatFormat.of(this.encoding), tokens::count);
		}

		@Override
		public long retainedBytes() {
			return MemoWeights.KEY + MemoWeights.TOOL_DEFINITION + MemoWeights.string(this.definition.name())
					+ MemoWeights.string(this.definition.description())
					+ MemoWeights.string(this.definition.inputSchema());
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof ToolKey key && this.encoding == key.encoding
					&& this.definition.equals(key.definition);
		}

		@Override
		public int hashCode() {
			return this.definition.hashCode() * 31 + this.encoding.ordinal();
		}

	}

	/**
	 * Builder for {@link TokenCounter}.
	 */
	public static final class Builder {

		private EncodingType fallbackEncoding = EncodingType.O200K_BASE;

		private long memoSize = DEFAULT_MEMO_SIZE_BYTES;

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
		 * Bound the memo by the heap its entries are estimated to retain: the remembered
		 * texts, their keys and counts, and the cache's own entries, all encodings and
		 * tool definitions together. Each remembered message costs about 150 bytes plus
		 * its text (one byte per character for Latin-1 text, two otherwise).
		 * @param bytes the bound in bytes, 0 to disable memoization
		 * @return this builder
		 */
		public Builder memoSize(long bytes) {
			Assert.isTrue(bytes >= 0, "memoSize must not be negative");
			this.memoSize = bytes;
			return this;
		}

		public TokenCounter build() {
			return new TokenCounter(this);
		}

	}

}
