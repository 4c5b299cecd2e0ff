package io.github.airesource.core.tokens;

import org.springframework.lang.Nullable;

/**
 * Estimates of the heap one entry of {@link TokenCounter}'s memo retains, so that the
 * memo's bound is a bound in bytes rather than in characters: a bound in characters let
 * one million short texts under an 8M-character bound take about 139 MiB, because the
 * per-entry overhead dwarfs a short text.
 *
 * <p>
 * The figures are for a 64-bit HotSpot JVM with compressed object pointers and class
 * pointers (the default for heaps below 32 GB), objects aligned to 8 bytes:
 * <ul>
 * <li>Caffeine, 88 bytes: its node for a bounded, weighted cache with strong keys and
 * values (class {@code PSMW}: 12-byte header, key and value references, two access-order
 * links, queue type, weight and policy weight) is 40 bytes; the
 * {@code ConcurrentHashMap.Node} behind it 32 (header, hash, key, value, next); its slot
 * in the hash table 4 bytes at a load of 37.5% to 75%, about 8 per entry; the frequency
 * sketch one {@code long} per entry, 8. Measured with Caffeine 3.2.4 on Java 17: 84.8
 * bytes per entry over 1,000,000 entries.</li>
 * <li>The memo key, 24 bytes: header and two references.</li>
 * <li>A String, 24 bytes (header, hash, value reference, coder and hash-is-zero flags)
 * plus its {@code byte[]}: a 16-byte header and one byte per character when every
 * character is below 256 (compact strings), else two. History messages are usually held
 * by the chat memory as well, but the memo may hold the last reference, so they are
 * counted.</li>
 * <li>The boxed count, 16 bytes, or none for counts up to 127, which
 * {@link Integer#valueOf(int)} shares.</li>
 * </ul>
 * Without compressed pointers (heaps of 32 GB and more) references take 8 bytes and real
 * entries are about a third larger than estimated here.
 */
final class MemoWeights {

	/** Caffeine's node, the map's node, the table slot and the sketch, per entry. */
	static final int CAFFEINE_ENTRY = 88;

	/** A memo key: header and two references. */
	static final int KEY = 24;

	/** A {@code DefaultToolDefinition}: header and three references. */
	static final int TOOL_DEFINITION = 24;

	/** A boxed count outside {@link Integer#valueOf(int)}'s shared instances. */
	static final int BOXED_COUNT = 16;

	private static final int STRING = 24;

	private static final int ARRAY_HEADER = 16;

	private MemoWeights() {
	}

	/**
	 * Return the weight of one memo entry.
	 * @param keyBytes what the key and the text or definition it refers to retain
	 * @param count the remembered count
	 * @return the estimated bytes, at most {@link Integer#MAX_VALUE}
	 */
	static int entry(long keyBytes, Integer count) {
		long boxed = (count >= -128 && count <= 127) ? 0 : BOXED_COUNT;
		return (int) Math.min(CAFFEINE_ENTRY + keyBytes + boxed, Integer.MAX_VALUE);
	}

	/**
	 * Return the bytes a String and its array retain.
	 * @param text the string, may be {@code null}
	 * @return the estimated bytes, 0 for {@code null}
	 */
	static long string(@Nullable String text) {
		if (text == null) {
			return 0;
		}
		long bytesPerChar = isLatin1(text) ? 1 : 2;
		return STRING + align(ARRAY_HEADER + text.length() * bytesPerChar);
	}

	private static boolean isLatin1(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) > 0xFF) {
				return false;
			}
		}
		return true;
	}

	private static long align(long bytes) {
		return (bytes + 7) & ~7L;
	}

}
