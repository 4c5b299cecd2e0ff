package io.github.airesource.core.cache.redis;

import java.nio.charset.StandardCharsets;

import io.github.airesource.core.redis.RedisKeys;

/**
 * The response cache's Redis keys, all built by {@link RedisKeys}:
 * <ul>
 * <li>{@code cache:{response:<tenant>:<key>}}: a string, the entry's
 * {@link io.github.airesource.core.cache.CachedResponse#encode() encoded} answer, with
 * the entry's TTL.</li>
 * </ul>
 * The tenant is an id and is encoded, so no tenant's entries can be another's; the key is
 * the request's SHA-256 in hex. The whole name is the hash tag: every command touches one
 * key, so entries spread over a cluster's shards rather than piling one tenant's on one.
 * The tenant comes before the key so that one tenant's entries can be found with one
 * {@code SCAN} pattern.
 */
final class ResponseCacheRedisKeys {

	private static final String FEATURE = "cache";

	private static final String CACHE = "response";

	private final RedisKeys keys;

	ResponseCacheRedisKeys(RedisKeys keys) {
		this.keys = keys;
	}

	byte[] entry(String tenant, String key) {
		return this.keys.group(FEATURE, CACHE, tenant, key).base().getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Return the {@code SCAN} pattern of one tenant's entries.
	 * @param tenant the tenant
	 * @return the pattern
	 */
	String tenantPattern(String tenant) {
		String base = this.keys.group(FEATURE, CACHE, tenant).base();
		// The base ends with the tag's closing brace; the entries continue the tag.
		return glob(base.substring(0, base.length() - 1)) + ":*";
	}

	/**
	 * Return the {@code SCAN} pattern of every entry.
	 * @return the pattern
	 */
	String allPattern() {
		String base = this.keys.group(FEATURE, CACHE).base();
		return glob(base.substring(0, base.length() - 1)) + ":*";
	}

	/**
	 * Escape the characters Redis patterns treat specially; encoded ids have none, a
	 * prefix may.
	 */
	private static String glob(String literal) {
		StringBuilder out = new StringBuilder(literal.length() + 4);
		for (int i = 0; i < literal.length(); i++) {
			char c = literal.charAt(i);
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				out.append('\\');
			}
			out.append(c);
		}
		return out.toString();
	}

}
