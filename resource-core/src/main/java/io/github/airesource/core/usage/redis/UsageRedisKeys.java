package io.github.airesource.core.usage.redis;

import io.github.airesource.core.redis.RedisKeys;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.ledger.UsageWindow;

/**
 * The usage ledger's Redis keys, all built by {@link RedisKeys}:
 * <ul>
 * <li>{@code usage:{<dimension>}:total}: hash of counters since tracking began, kept for
 * the retention after its last update;</li>
 * <li>{@code usage:{<dimension>}:<m|h|d>:<bucket>}: hash of counters of one window
 * bucket, kept as long as its window needs it;</li>
 * <li>{@code usage:{<dimension>}:applied}: the last batch applied by each writer, so that
 * a repeated batch is not counted twice;</li>
 * <li>{@code usage:{index}:models}: set of model names; {@code usage:{index}:top:<type>}:
 * sorted sets of tenants and users by cost; {@code usage:{index}:applied}.</li>
 * </ul>
 * A {@code <dimension>} is {@code global}, {@code model:<name>}, {@code tenant:<id>} or
 * {@code user:<id>}: each is its own hash tag, so that one script updates a dimension's
 * keys atomically and dimensions spread over a Redis Cluster.
 */
final class UsageRedisKeys {

	private static final String FEATURE = "usage";

	private final RedisKeys keys;

	private final RedisKeys.Group index;

	UsageRedisKeys(RedisKeys keys) {
		this.keys = keys;
		this.index = keys.group(FEATURE, "index");
	}

	RedisKeys.Group global() {
		return this.keys.group(FEATURE, "global");
	}

	RedisKeys.Group model(String model) {
		return this.keys.group(FEATURE, "model", model);
	}

	RedisKeys.Group scope(ScopeType type, String id) {
		return (type == ScopeType.GLOBAL) ? global() : this.keys.group(FEATURE, type.value(), id);
	}

	static byte[] total(RedisKeys.Group dimension) {
		return dimension.keyBytes("total");
	}

	static byte[] bucket(RedisKeys.Group dimension, UsageWindow window, long bucket) {
		return dimension.keyBytes(window.key(), Long.toString(bucket));
	}

	static byte[] applied(RedisKeys.Group group) {
		return group.keyBytes("applied");
	}

	RedisKeys.Group index() {
		return this.index;
	}

	byte[] models() {
		return this.index.keyBytes("models");
	}

	byte[] top(ScopeType type) {
		return this.index.keyBytes("top", type.value());
	}

}
