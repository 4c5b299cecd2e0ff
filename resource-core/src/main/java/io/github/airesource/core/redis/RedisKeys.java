package io.github.airesource.core.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.springframework.util.Assert;

/**
 * The one place where the library's Redis keys are built.
 *
 * <p>
 * Layout: {@code <prefix><feature>:{<tag>}:<segment>:<segment>...}, for example
 * {@code airesource:usage:{user:alice}:m:2946240} or
 * {@code airesource:budget:{admission}:per-user-daily:user:alice:20260101}. Fixed
 * segments come before ids, and every segment, fixed words and ids alike, goes through
 * {@link #encode}, so no id can form another key:
 * <ul>
 * <li>letters, digits, {@code -}, {@code _} and {@code .} stay as they are;</li>
 * <li>every other character, the separator {@code :}, the hash-tag braces {@code {}}, the
 * escape {@code %} itself, spaces, control characters and non-ASCII, is written as
 * {@code %XX} per UTF-8 byte ({@code %uXXXX} for a lone surrogate, which has no UTF-8
 * form);</li>
 * <li>the empty id is {@code #}, and an id whose encoding is longer than
 * {@value #MAX_SEGMENT_LENGTH} characters is {@code #} followed by 32 hex digits of its
 * SHA-256, since {@code #} never appears in an encoded id otherwise.</li>
 * </ul>
 * A user named {@code alice:m:2946240} is {@code alice%3Am%3A2946240}: its keys can never
 * be alice's.
 *
 * <p>
 * Redis Cluster: the keys one Lua script touches must live in one hash slot, and Redis
 * hashes only the part between the first {@code {} and the next {@code }} of a key. Each
 * key has exactly one tag, right after the feature, and the prefix may not contain
 * braces, so the tag decides the slot:
 * <ul>
 * <li>usage counters: one tag per counted dimension ({@code {global}},
 * {@code {model:<m>}}, {@code {tenant:<t>}}, {@code {user:<u>}}), so a dimension's
 * totals, window buckets and write markers are updated by one script and dimensions
 * spread over the cluster; the indexes of models and top scopes share
 * {@code {index}};</li>
 * <li>budgets and rate limits: the tag {@value #ADMISSION_TAG} for all their keys,
 * because admitting one call checks and reserves a user's, a tenant's and the global
 * limits in one atomic script. That places all admission state on one shard, one script
 * per call.</li>
 * </ul>
 * Instances are immutable and thread-safe.
 */
public final class RedisKeys {

	/** The hash tag shared by every budget and rate-limit key (one atomic admission). */
	public static final String ADMISSION_TAG = "admission";

	/** The longest encoded segment kept as is; longer ones are hashed. */
	public static final int MAX_SEGMENT_LENGTH = 100;

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private final String prefix;

	/**
	 * Create the key schema for a prefix.
	 * @param prefix the prefix of every key, such as {@code airesource:}; must not be
	 * empty and must not contain a brace
	 */
	public RedisKeys(String prefix) {
		Assert.hasText(prefix, "prefix must not be empty");
		Assert.isTrue(prefix.indexOf('{') < 0 && prefix.indexOf('}') < 0,
				() -> "prefix must not contain '{' or '}' (the hash tags are AI Resource's own): " + prefix);
		this.prefix = prefix;
	}

	/**
	 * Return the prefix of every key.
	 * @return the prefix
	 */
	public String prefix() {
		return this.prefix;
	}

	/**
	 * Return the keys of one hash slot.
	 * @param feature the feature, such as {@code usage}
	 * @param tagSegments the segments of the hash tag, fixed words and raw ids
	 * @return the group
	 */
	public Group group(String feature, String... tagSegments) {
		Assert.isTrue(tagSegments.length > 0, "a group needs a tag");
		StringBuilder base = new StringBuilder(this.prefix);
		appendEncoded(base, feature);
		base.append(":{");
		for (int i = 0; i < tagSegments.length; i++) {
			if (i > 0) {
				base.append(':');
			}
			appendEncoded(base, tagSegments[i]);
		}
		return new Group(base.append('}').toString());
	}

	/**
	 * Encode one key segment so that it contains no separator, brace or escape of its
	 * own.
	 * @param segment a fixed word or a raw id
	 * @return the encoded segment
	 */
	public static String encode(String segment) {
		Assert.notNull(segment, "segment must not be null");
		StringBuilder out = new StringBuilder(segment.length() + 8);
		appendEncoded(out, segment);
		return out.toString();
	}

	private static void appendEncoded(StringBuilder out, String segment) {
		if (segment.isEmpty()) {
			out.append('#');
			return;
		}
		if (isPlain(segment)) {
			if (segment.length() <= MAX_SEGMENT_LENGTH) {
				out.append(segment);
			}
			else {
				appendHash(out, segment);
			}
			return;
		}
		int start = out.length();
		for (int i = 0; i < segment.length(); i++) {
			char c = segment.charAt(i);
			if (isPlain(c)) {
				out.append(c);
			}
			else if (Character.isHighSurrogate(c) && i + 1 < segment.length()
					&& Character.isLowSurrogate(segment.charAt(i + 1))) {
				appendUtf8(out, segment.substring(i, i + 2));
				i++;
			}
			else if (Character.isSurrogate(c)) {
				out.append("%u")
					.append(HEX[(c >> 12) & 0xF])
					.append(HEX[(c >> 8) & 0xF])
					.append(HEX[(c >> 4) & 0xF])
					.append(HEX[c & 0xF]);
			}
			else {
				appendUtf8(out, String.valueOf(c));
			}
		}
		if (out.length() - start > MAX_SEGMENT_LENGTH) {
			out.setLength(start);
			appendHash(out, segment);
		}
	}

	private static void appendUtf8(StringBuilder out, String chars) {
		for (byte b : chars.getBytes(StandardCharsets.UTF_8)) {
			out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
		}
	}

	private static void appendHash(StringBuilder out, String segment) {
		byte[] digest = sha256(segment);
		out.append('#');
		for (int i = 0; i < 16; i++) {
			out.append(HEX[(digest[i] >> 4) & 0xF]).append(HEX[digest[i] & 0xF]);
		}
	}

	private static byte[] sha256(String segment) {
		try {
			// UTF-16 code units, not UTF-8: lone surrogates must hash apart too.
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return digest.digest(segment.getBytes(StandardCharsets.UTF_16BE));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required on every Java platform", ex);
		}
	}

	private static boolean isPlain(String segment) {
		for (int i = 0; i < segment.length(); i++) {
			if (!isPlain(segment.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isPlain(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
				|| c == '.';
	}

	/**
	 * Keys that share one hash tag, so that one script may touch all of them, also on
	 * Redis Cluster.
	 */
	public static final class Group {

		private final String base;

		private Group(String base) {
			this.base = base;
		}

		/**
		 * Return a key of this group.
		 * @param segments the segments after the tag, fixed words and raw ids
		 * @return the key
		 */
		public String key(String... segments) {
			StringBuilder key = new StringBuilder(this.base.length() + 16 * segments.length).append(this.base);
			for (String segment : segments) {
				appendEncoded(key.append(':'), segment);
			}
			return key.toString();
		}

		/**
		 * Return a key of this group as UTF-8 bytes, as the Redis commands take it.
		 * @param segments the segments after the tag, fixed words and raw ids
		 * @return the key
		 */
		public byte[] keyBytes(String... segments) {
			return key(segments).getBytes(StandardCharsets.UTF_8);
		}

		/**
		 * Return the common start of every key of the group, its hash tag included.
		 * @return the base
		 */
		public String base() {
			return this.base;
		}

		@Override
		public String toString() {
			return this.base;
		}

	}

}
