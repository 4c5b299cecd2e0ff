package io.github.airesource.core.usage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.Assert;

/**
 * The system prompts the application sends, so that the largest can be listed by token
 * count, and a warning is logged once per system prompt above a size.
 *
 * <p>
 * A prompt is known by a hash of its text (the first 16 hex digits of its SHA-256) and
 * its first few words, never by its whole text: {@link #largest(int)} is safe to show on
 * an Actuator endpoint. The text itself is kept only as the key of a bounded Caffeine
 * cache ({@code maxTracked} prompts, the least used evicted first), so that a prompt seen
 * again costs one lookup and no hashing; the hash is computed once, when a prompt is
 * first seen. The warning is logged once per hash for as long as the hash is among the
 * last {@value #MAX_WARNED} warned about.
 */
public final class SystemPrompts {

	/** Most words shown of a prompt; never more than half of its words. */
	static final int FIRST_WORDS = 6;

	private static final int MAX_WARNED = 10_000;

	private static final int HASH_BYTES = 8;

	private static final Log logger = LogFactory.getLog(SystemPrompts.class);

	private final int warnTokens;

	private final Cache<String, Tracked> prompts;

	private final Cache<String, Boolean> warned = Caffeine.newBuilder()
		.maximumSize(MAX_WARNED)
		.executor(Runnable::run)
		.build();

	/**
	 * Create a tracker.
	 * @param maxTracked most distinct system prompts kept
	 * @param warnTokens log a warning once per system prompt with more tokens than this;
	 * 0 for never
	 */
	public SystemPrompts(int maxTracked, int warnTokens) {
		Assert.isTrue(maxTracked > 0, "maxTracked must be positive");
		Assert.isTrue(warnTokens >= 0, "warnTokens must not be negative");
		this.warnTokens = warnTokens;
		// Maintenance on the calling thread, as in the usage ledger.
		this.prompts = Caffeine.newBuilder().maximumSize(maxTracked).executor(Runnable::run).build();
	}

	/**
	 * Note one system message of a call.
	 * @param text the message's text
	 * @param tokens its tokens, as the call's count has them
	 */
	public void observe(String text, int tokens) {
		Tracked tracked = this.prompts.get(text, (key) -> new Tracked(hash(key), firstWords(key)));
		tracked.tokens = tokens;
		tracked.calls.increment();
		if (this.warnTokens > 0 && tokens > this.warnTokens
				&& this.warned.asMap().putIfAbsent(tracked.hash, Boolean.TRUE) == null) {
			logger.warn("A system prompt of " + tokens + " tokens (hash " + tracked.hash + ", \"" + tracked.firstWords
					+ "\") is sent with every call: above ai.resource.history.system-prompt-warn-tokens ("
					+ this.warnTokens + "). Shortening it saves input tokens on every call.");
		}
	}

	/**
	 * Return the largest system prompts seen, by tokens, larger first.
	 * @param limit how many to list
	 * @return the prompts
	 */
	public List<SystemPromptStats> largest(int limit) {
		return this.prompts.asMap()
			.values()
			.stream()
			.map((tracked) -> new SystemPromptStats(tracked.hash, tracked.firstWords, tracked.tokens,
					tracked.calls.sum()))
			.sorted(Comparator.comparingLong(SystemPromptStats::tokens)
				.reversed()
				.thenComparing(SystemPromptStats::hash))
			.limit(limit)
			.toList();
	}

	/**
	 * Return the warning threshold.
	 * @return the tokens above which a system prompt is warned about, 0 for never
	 */
	public int warnTokens() {
		return this.warnTokens;
	}

	static String hash(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, HASH_BYTES);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

	/**
	 * Return the first words of a text, at most {@value #FIRST_WORDS} and at most half of
	 * its words, so that a short prompt is never shown whole, followed by an ellipsis.
	 */
	static String firstWords(String text) {
		String[] words = text.trim().split("\\s+");
		int shown = Math.min(FIRST_WORDS, words.length / 2);
		StringBuilder first = new StringBuilder();
		for (int i = 0; i < shown; i++) {
			first.append(words[i]).append(' ');
		}
		String start = first.toString().trim();
		// A long word (a URL, a blob) must not carry much of the prompt either.
		if (start.length() > 60) {
			start = start.substring(0, 60);
		}
		return start + "…";
	}

	/**
	 * One system prompt seen. Its tokens are the last count of it (a count is the same
	 * for the same text and encoding).
	 */
	private static final class Tracked {

		private final String hash;

		private final String firstWords;

		private volatile int tokens;

		private final LongAdder calls = new LongAdder();

		Tracked(String hash, String firstWords) {
			this.hash = hash;
			this.firstWords = firstWords;
		}

	}

}
