package io.github.airesource.core.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.ai.chat.client.ChatClientAttributes;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.lang.Nullable;

/**
 * Computes the cache keys of a request: a SHA-256 over a canonical form of everything
 * that changes the answer.
 *
 * <p>
 * The exact key covers the partition (tenant always, user when configured, namespace),
 * the model, every option (temperature, top-p, max tokens, stop, seed, response format,
 * tool choice, reasoning effort and any provider-specific option, serialized and
 * canonicalized, so map order and JSON formatting do not matter), all messages with their
 * media, tool calls and tool responses, the tool definitions and tool names, and the
 * structured-output format the {@code ChatClient} appends to the prompt. Each field is
 * length-prefixed, so no two different requests can write the same bytes.
 *
 * <p>
 * Options that only shape the transport ({@code stream_options}, HTTP headers) are left
 * out, so a stream and a blocking call of the same request share an entry. Options that
 * cannot be serialized make the request uncacheable rather than risk two different
 * requests sharing a key.
 *
 * <p>
 * The partition key of the semantic cache covers the same except the conversation's
 * non-system messages, which the semantic cache compares by embedding instead.
 */
public final class RequestFingerprint {

	/** Bumped when the canonical form changes, so old entries become misses. */
	private static final String VERSION = "airesource-cache-v2";

	/** Texts at least this long are covered by their memoized digest. */
	private static final int DIGESTED_TEXT_LENGTH = 256;

	/** Heap bound of the digest memo, texts included: about 16 MB. */
	private static final long TEXT_DIGESTS_WEIGHT = 16L << 20;

	/**
	 * Cloned for each key: {@code MessageDigest.getInstance} looks the algorithm up in
	 * the security providers on every call.
	 */
	private static final MessageDigest SHA_256 = sha256();

	private static final String[] CONTEXT_KEYS = { ChatClientAttributes.OUTPUT_FORMAT.getKey(),
			ChatClientAttributes.STRUCTURED_OUTPUT_SCHEMA.getKey(),
			ChatClientAttributes.STRUCTURED_OUTPUT_NATIVE.getKey() };

	/**
	 * Options that shape the transport, not the answer. OpenAI's {@code streamUsage} is
	 * serialized although it only asks for a usage chunk: without it here a stream and a
	 * call of one request would never share an entry.
	 */
	private static final String[] TRANSPORT_OPTIONS = { "stream_options", "streamOptions", "streamUsage",
			"stream_usage", "httpHeaders", "http_headers" };

	private final ObjectMapper mapper = JsonMapper.builder()
		.addMixIn(ToolCallingChatOptions.class, ToolCallingOptionsMixin.class)
		.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
		.serializationInclusion(JsonInclude.Include.NON_NULL)
		.build();

	/**
	 * Tool schemas and other JSON texts repeat on every call; their canonical form is
	 * kept rather than parsed again.
	 */
	private final Cache<String, String> canonicalTexts = Caffeine.newBuilder().maximumSize(1024).build();

	/**
	 * SHA-256 digests of long message texts. A repeated request (the only kind a cache
	 * answers) repeats its texts, and hashing a text's chars for the lookup costs a
	 * fraction of digesting its bytes again. The key then covers such a text by its
	 * digest, which identifies it as surely as its bytes.
	 */
	private final Cache<String, byte[]> textDigests = Caffeine.newBuilder()
		.maximumWeight(TEXT_DIGESTS_WEIGHT)
		.weigher((String text, byte[] digest) -> 2 * text.length() + 96)
		.build();

	/**
	 * Return the exact-match key of a request.
	 * @param prompt the prompt as it will be sent
	 * @param context the request context, for the structured-output format
	 * @param model the model the call goes to
	 * @param partition the partition of the call
	 * @return the key as 64 hex characters, or {@code null} when the request cannot be
	 * keyed safely (options that do not serialize)
	 */
	@Nullable
	public String exactKey(Prompt prompt, Map<String, Object> context, String model, CachePartition partition) {
		return key(prompt, context, model, partition, true);
	}

	/**
	 * Return the key of the semantic cache partition a request belongs to: the same as
	 * the exact key but without the non-system messages.
	 * @param prompt the prompt as it will be sent
	 * @param context the request context, for the structured-output format
	 * @param model the model the call goes to
	 * @param partition the partition of the call
	 * @return the key as 64 hex characters, or {@code null} when the request cannot be
	 * keyed safely
	 */
	@Nullable
	public String partitionKey(Prompt prompt, Map<String, Object> context, String model, CachePartition partition) {
		return key(prompt, context, model, partition, false);
	}

	@Nullable
	private String key(Prompt prompt, Map<String, Object> context, String model, CachePartition partition,
			boolean allMessages) {
		String options = canonicalOptions(prompt.getOptions());
		if (options == null) {
			return null;
		}
		KeyBuilder key = new KeyBuilder(newDigest());
		key.field(VERSION).field(allMessages ? "exact" : "partition");
		key.field(partition.tenant()).field(partition.user()).field(partition.namespace());
		key.field(model).field(options);
		tools(prompt.getOptions(), key);
		for (String contextKey : CONTEXT_KEYS) {
			Object value = context.get(contextKey);
			key.field((value != null) ? value.toString() : "");
		}
		for (Message message : prompt.getInstructions()) {
			if (allMessages || message.getMessageType() == MessageType.SYSTEM) {
				message(message, key);
			}
		}
		return key.sha256();
	}

	@Nullable
	private String canonicalOptions(@Nullable ChatOptions options) {
		if (options == null) {
			return "";
		}
		JsonNode tree;
		try {
			tree = this.mapper.valueToTree(options);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (tree instanceof ObjectNode object) {
			object.remove(List.of(TRANSPORT_OPTIONS));
		}
		StringBuilder out = new StringBuilder(128);
		out.append(options.getClass().getName()).append(':');
		CanonicalJson.write(tree, out);
		return out.toString();
	}

	private void tools(@Nullable ChatOptions options, KeyBuilder key) {
		if (!(options instanceof ToolCallingChatOptions toolOptions)) {
			key.count(0).count(0);
			return;
		}
		List<ToolDefinition> definitions = new ArrayList<>();
		for (ToolCallback callback : toolOptions.getToolCallbacks()) {
			definitions.add(callback.getToolDefinition());
		}
		definitions.sort(Comparator.comparing(ToolDefinition::name));
		key.count(definitions.size());
		for (ToolDefinition definition : definitions) {
			key.field(definition.name()).field(definition.description()).field(canonicalText(definition.inputSchema()));
		}
		List<String> names = new ArrayList<>(toolOptions.getToolNames());
		names.sort(null);
		key.count(names.size());
		names.forEach(key::field);
	}

	private void message(Message message, KeyBuilder key) {
		key.field(message.getMessageType().getValue()).text(message.getText(), this.textDigests);
		if (message instanceof UserMessage user) {
			key.count(user.getMedia().size());
			for (Media media : user.getMedia()) {
				key.field(media.getMimeType().toString());
				Object data = media.getData();
				if (data instanceof byte[] bytes) {
					key.bytes(bytes);
				}
				else {
					key.field(String.valueOf(data));
				}
			}
		}
		else if (message instanceof AssistantMessage assistant) {
			key.count(assistant.getToolCalls().size());
			for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
				key.field(call.id()).field(call.type()).field(call.name()).field(canonicalText(call.arguments()));
			}
		}
		else if (message instanceof ToolResponseMessage tool) {
			key.count(tool.getResponses().size());
			for (ToolResponseMessage.ToolResponse response : tool.getResponses()) {
				key.field(response.id()).field(response.name()).field(response.responseData());
			}
		}
	}

	private String canonicalText(@Nullable String json) {
		if (json == null || json.isEmpty()) {
			return "";
		}
		return this.canonicalTexts.get(json, CanonicalJson::canonicalize);
	}

	/**
	 * Leaves tool callbacks and tool context out of the serialized options: callbacks are
	 * keyed by their definitions, context never reaches the model.
	 */
	@JsonIgnoreProperties({ "toolCallbacks", "toolNames", "toolContext" })
	private interface ToolCallingOptionsMixin {

	}

	/**
	 * Feeds length-prefixed fields to a SHA-256 digest.
	 */
	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	private static MessageDigest newDigest() {
		try {
			return (MessageDigest) SHA_256.clone();
		}
		catch (CloneNotSupportedException ex) {
			return sha256();
		}
	}

	private static final class KeyBuilder {

		private final MessageDigest digest;

		private final byte[] length = new byte[4];

		KeyBuilder(MessageDigest digest) {
			this.digest = digest;
		}

		/**
		 * Write a message text: a long one as its memoized digest, marked so that it can
		 * never read as a short text's bytes.
		 */
		KeyBuilder text(@Nullable String value, Cache<String, byte[]> digests) {
			if (value == null || value.length() < DIGESTED_TEXT_LENGTH) {
				return field(value);
			}
			count(-2);
			this.digest.update(digests.get(value, (text) -> newDigest().digest(text.getBytes(StandardCharsets.UTF_8))));
			return this;
		}

		KeyBuilder field(@Nullable String value) {
			if (value == null) {
				return count(-1);
			}
			return bytes(value.getBytes(StandardCharsets.UTF_8));
		}

		KeyBuilder bytes(byte[] value) {
			count(value.length);
			this.digest.update(value);
			return this;
		}

		KeyBuilder count(int value) {
			this.length[0] = (byte) (value >>> 24);
			this.length[1] = (byte) (value >>> 16);
			this.length[2] = (byte) (value >>> 8);
			this.length[3] = (byte) value;
			this.digest.update(this.length);
			return this;
		}

		String sha256() {
			return HexFormat.of().formatHex(this.digest.digest());
		}

	}

}
