package io.github.airesource.core.budget.redis;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.redis.RedisKeys;
import io.github.airesource.core.redis.ResourceRedis;

/**
 * The budget store's Redis keys, all built by {@link RedisKeys} under the one hash tag
 * {@value RedisKeys#ADMISSION_TAG}:
 * <ul>
 * <li>{@code budget:{admission}:counter:<limit>:<key>}: hash of one key's counters;</li>
 * <li>{@code budget:{admission}:leases:<limit>:<key>}: sorted set of its lease and
 * settled-marker expiries;</li>
 * <li>{@code budget:{admission}:top:<limit>:<tokens|cost>}: sorted set of the limit's
 * keys by use in the current window.</li>
 * </ul>
 * A member of the index is {@code <hex of the key's UTF-16 chars> <encoded key>}: Redis
 * orders equal scores by their bytes, and four hex digits per char sort as Java sorts
 * strings, so ties come out in the memory store's order; the encoded key after the space
 * lets the read script find the key's counter.
 */
final class BudgetRedisKeys {

	private static final String FEATURE = "budget";

	private static final HexFormat HEX = HexFormat.of();

	private final RedisKeys.Group group;

	BudgetRedisKeys(RedisKeys keys) {
		this.group = keys.group(FEATURE, RedisKeys.ADMISSION_TAG);
	}

	byte[] counter(BudgetLimit limit, String key) {
		return this.group.keyBytes("counter", limit.name(), key);
	}

	byte[] leases(BudgetLimit limit, String key) {
		return this.group.keyBytes("leases", limit.name(), key);
	}

	byte[] top(BudgetLimit limit) {
		return this.group.keyBytes("top", limit.name(), rankedByCost(limit) ? "cost" : "tokens");
	}

	/**
	 * Return the start of every counter key of a limit, up to the key's segment, which
	 * index members carry.
	 */
	byte[] counterBase(BudgetLimit limit) {
		return ResourceRedis.bytes(this.group.key("counter", limit.name()) + ":");
	}

	/**
	 * Return the start of every leases key of a limit, up to the key's segment.
	 */
	byte[] leasesBase(BudgetLimit limit) {
		return ResourceRedis.bytes(this.group.key("leases", limit.name()) + ":");
	}

	/**
	 * Whether a limit's keys are ranked by cost, else by tokens, as the memory store
	 * ranks them.
	 */
	static boolean rankedByCost(BudgetLimit limit) {
		return limit.capsCost();
	}

	static byte[] member(String key) {
		// Char by char rather than through an encoder, which would replace a lone
		// surrogate.
		StringBuilder member = new StringBuilder(key.length() * 5 + 2);
		for (int i = 0; i < key.length(); i++) {
			member.append(HEX.toHexDigits((short) key.charAt(i)));
		}
		return ResourceRedis.bytes(member.append(' ').append(RedisKeys.encode(key)).toString());
	}

	static String keyOf(byte[] member) {
		String text = new String(member, StandardCharsets.US_ASCII);
		int end = text.indexOf(' ');
		StringBuilder key = new StringBuilder(end / 4);
		for (int i = 0; i < end; i += 4) {
			key.append((char) HEX.fromHexDigits(text, i, i + 4));
		}
		return key.toString();
	}

}
