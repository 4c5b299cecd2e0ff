package io.github.airesource.core.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.airesource.core.usage.TokenUsage;
import io.github.airesource.core.usage.UsageRecord;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * A model answer as the caches keep it: the generated texts with their finish reasons,
 * the model that answered, and the usage and cost of the call that produced it, so a hit
 * can report what it saved. Only complete, successful answers are kept: see
 * {@link #of(ChatResponse, UsageRecord, long)}.
 *
 * <p>
 * {@link #encode()} writes a compact, versioned binary form for shared stores;
 * {@link #decode(byte[])} reads it and returns {@code null} for any other version, so a
 * format change is a cache miss, not a failure.
 *
 * @param model the model that answered
 * @param id the provider's response id, empty when none
 * @param generations the generated texts
 * @param promptTokens prompt tokens of the original call
 * @param cachedPromptTokens cached prompt tokens of the original call
 * @param completionTokens completion tokens of the original call
 * @param reasoningTokens reasoning tokens of the original call
 * @param costNanos cost of the original call in nano-dollars, {@code -1} when unpriced
 * @param createdAtMillis when the answer was cached, epoch milliseconds
 */
public record CachedResponse(String model, String id, List<CachedGeneration> generations, int promptTokens,
		int cachedPromptTokens, int completionTokens, int reasoningTokens, long costNanos, long createdAtMillis) {

	private static final byte MAGIC = 'A';

	/** The version of {@link #encode()}; entries of other versions are misses. */
	public static final byte FORMAT_VERSION = 1;

	/** Finish reasons that mean the answer is not whole or was withheld. */
	private static final List<String> INCOMPLETE = List.of("length", "content_filter", "max_tokens", "tool_calls");

	public CachedResponse {
		Assert.notNull(model, "model must not be null");
		Assert.notNull(id, "id must not be null");
		Assert.notEmpty(generations, "generations must not be empty");
		generations = List.copyOf(generations);
	}

	/**
	 * Return the cacheable form of a model answer, or {@code null} when the answer must
	 * not be cached: no generations, an empty text, a tool call still to execute, or a
	 * finish reason of {@code length} or {@code content_filter}.
	 * @param response the answer
	 * @param usage the usage recorded for the call, or {@code null}
	 * @param nowMillis the current time, epoch milliseconds
	 * @return the cacheable answer or {@code null}
	 */
	@Nullable
	public static CachedResponse of(@Nullable ChatResponse response, @Nullable UsageRecord usage, long nowMillis) {
		if (response == null || response.getResults() == null || response.getResults().isEmpty()) {
			return null;
		}
		List<CachedGeneration> generations = new ArrayList<>(response.getResults().size());
		for (Generation generation : response.getResults()) {
			AssistantMessage output = generation.getOutput();
			if (output == null || output.hasToolCalls() || !StringUtils.hasText(output.getText())) {
				return null;
			}
			String finishReason = finishReasonOf(generation);
			if (INCOMPLETE.contains(finishReason.toLowerCase(Locale.ROOT))) {
				return null;
			}
			generations.add(new CachedGeneration(output.getText(), finishReason));
		}
		ChatResponseMetadata metadata = response.getMetadata();
		String model = (usage != null) ? usage.model()
				: (metadata != null && metadata.getModel() != null) ? metadata.getModel() : "";
		String id = (metadata != null && metadata.getId() != null) ? metadata.getId() : "";
		if (usage == null) {
			return new CachedResponse(model, id, generations, 0, 0, 0, 0, -1, nowMillis);
		}
		long cost = (usage.cost() != null) ? usage.cost().movePointRight(9).longValue() : -1;
		return new CachedResponse(model, id, generations, usage.promptTokens(), usage.cachedPromptTokens(),
				usage.completionTokens(), usage.reasoningTokens(), cost, nowMillis);
	}

	/**
	 * Return the answer as the model gave it, with the original usage.
	 * @return the response
	 */
	public ChatResponse toChatResponse() {
		List<Generation> results = new ArrayList<>(this.generations.size());
		for (CachedGeneration generation : this.generations) {
			results.add(new Generation(new AssistantMessage(generation.text()),
					ChatGenerationMetadata.builder().finishReason(generation.finishReason()).build()));
		}
		return new ChatResponse(results, metadata());
	}

	/**
	 * Return the answer as a stream would deliver it: the text of the first generation
	 * cut into pieces of about {@code chunkChars} characters at word boundaries, the last
	 * chunk carrying the finish reason and the original usage.
	 * @param chunkChars the rough size of a chunk, at least 1
	 * @return the chunks, at least one
	 */
	public List<ChatResponse> toChunks(int chunkChars) {
		Assert.isTrue(chunkChars > 0, "chunkChars must be positive");
		CachedGeneration generation = this.generations.get(0);
		String text = generation.text();
		List<ChatResponse> chunks = new ArrayList<>(text.length() / chunkChars + 2);
		ChatResponseMetadata partMetadata = ChatResponseMetadata.builder().id(this.id).model(this.model).build();
		int start = 0;
		while (start < text.length()) {
			int end = Math.min(text.length(), start + chunkChars);
			while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
				end++;
			}
			boolean last = end >= text.length();
			String piece = text.substring(start, end);
			if (last) {
				chunks.add(new ChatResponse(
						List.of(new Generation(new AssistantMessage(piece),
								ChatGenerationMetadata.builder().finishReason(generation.finishReason()).build())),
						metadata()));
			}
			else {
				chunks.add(new ChatResponse(List.of(new Generation(new AssistantMessage(piece))), partMetadata));
			}
			start = end;
		}
		return chunks;
	}

	/**
	 * Return the usage of the call that produced this answer, for the ledger's record of
	 * what a hit saved.
	 * @return the usage
	 */
	public TokenUsage usage() {
		return new TokenUsage(this.model, this.promptTokens, this.cachedPromptTokens, this.completionTokens,
				this.reasoningTokens, false);
	}

	/**
	 * Return the cost of the call that produced this answer.
	 * @return the cost in USD, or {@code null} when it was unpriced
	 */
	@Nullable
	public BigDecimal cost() {
		return (this.costNanos >= 0) ? BigDecimal.valueOf(this.costNanos, 9) : null;
	}

	/**
	 * Return an estimate of the heap this entry takes, for caches bounded by bytes.
	 * @return the estimated bytes
	 */
	public long retainedBytes() {
		long bytes = 96 + 2L * (this.model.length() + this.id.length());
		for (CachedGeneration generation : this.generations) {
			bytes += 64 + 2L * (generation.text().length() + generation.finishReason().length());
		}
		return bytes;
	}

	/**
	 * Write the compact, versioned form of this answer.
	 * @return the bytes
	 */
	public byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + 2 * this.generations.get(0).text().length());
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(MAGIC);
			out.writeByte(FORMAT_VERSION);
			writeString(out, this.model);
			writeString(out, this.id);
			out.writeInt(this.promptTokens);
			out.writeInt(this.cachedPromptTokens);
			out.writeInt(this.completionTokens);
			out.writeInt(this.reasoningTokens);
			out.writeLong(this.costNanos);
			out.writeLong(this.createdAtMillis);
			out.writeInt(this.generations.size());
			for (CachedGeneration generation : this.generations) {
				writeString(out, generation.text());
				writeString(out, generation.finishReason());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Read an answer written by {@link #encode()}.
	 * @param bytes the bytes
	 * @return the answer, or {@code null} when the bytes are of another format version or
	 * unreadable
	 */
	@Nullable
	public static CachedResponse decode(@Nullable byte[] bytes) {
		if (bytes == null || bytes.length < 2 || bytes[0] != MAGIC || bytes[1] != FORMAT_VERSION) {
			return null;
		}
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 2, bytes.length - 2))) {
			String model = readString(in);
			String id = readString(in);
			int prompt = in.readInt();
			int cached = in.readInt();
			int completion = in.readInt();
			int reasoning = in.readInt();
			long cost = in.readLong();
			long created = in.readLong();
			int count = in.readInt();
			if (count <= 0 || count > 128) {
				return null;
			}
			List<CachedGeneration> generations = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				generations.add(new CachedGeneration(readString(in), readString(in)));
			}
			return new CachedResponse(model, id, generations, prompt, cached, completion, reasoning, cost, created);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private ChatResponseMetadata metadata() {
		return ChatResponseMetadata.builder()
			.id(this.id)
			.model(this.model)
			.usage(new DefaultUsage(this.promptTokens, this.completionTokens,
					this.promptTokens + this.completionTokens))
			.build();
	}

	private static String finishReasonOf(Generation generation) {
		ChatGenerationMetadata metadata = generation.getMetadata();
		String reason = (metadata != null) ? metadata.getFinishReason() : null;
		return (reason != null) ? reason : "";
	}

	private static void writeString(DataOutputStream out, String value) throws IOException {
		byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(utf8.length);
		out.write(utf8);
	}

	private static String readString(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 0 || length > in.available()) {
			throw new IOException("Corrupt cache entry");
		}
		byte[] utf8 = new byte[length];
		in.readFully(utf8);
		return new String(utf8, StandardCharsets.UTF_8);
	}

	/**
	 * One generated text and why it ended.
	 *
	 * @param text the text
	 * @param finishReason the provider's finish reason, empty when none was given
	 */
	public record CachedGeneration(String text, String finishReason) {

		public CachedGeneration {
			Assert.notNull(text, "text must not be null");
			Assert.notNull(finishReason, "finishReason must not be null");
		}

	}

}
