package io.github.airesource.core.usage.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.github.airesource.core.redis.RedisKeys;
import io.github.airesource.core.redis.RedisScript;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageField;
import io.github.airesource.core.usage.ledger.UsageReport.ScopeReport;
import io.github.airesource.core.usage.ledger.UsageReport.ScopeUsage;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.ledger.UsageTotals;
import io.github.airesource.core.usage.ledger.UsageWindow;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * Reads fleet-wide usage from Redis in few round trips: one for the indexes (models, top
 * scopes), then one pipelined {@code read-usage.lua} per summary, each summing a
 * dimension's totals and window buckets in Redis and answering with a few integers, all
 * in a second round trip. A report of the top 1000 tenants and users costs two round
 * trips.
 */
final class RedisUsageReader {

	private static final RedisScript READ = RedisScript.fromClassPath(RedisUsageReader.class, "read-usage.lua");

	private static final UsageWindow[] WINDOWS = UsageWindow.values();

	private static final int FIELDS = UsageField.values().length;

	private final ResourceRedis redis;

	private final UsageRedisKeys keys;

	private final Clock clock;

	private final byte[][] args;

	RedisUsageReader(ResourceRedis redis, UsageRedisKeys keys, Clock clock) {
		this.redis = redis;
		this.keys = keys;
		this.clock = clock;
		this.args = readArgs();
	}

	/**
	 * Read the fleet's figures.
	 * @param topScopes how many tenants and users to list
	 * @return the figures
	 * @throws io.github.airesource.core.redis.RedisUnavailableException if Redis fails
	 */
	FleetUsage report(int topScopes) {
		RedisClusterAsyncCommands<byte[], byte[]> commands = this.redis.commands();
		CompletableFuture<Set<byte[]>> modelNames = commands.smembers(this.keys.models()).toCompletableFuture();
		Map<ScopeType, CompletableFuture<List<byte[]>>> tops = new LinkedHashMap<>();
		Map<ScopeType, CompletableFuture<Long>> tracked = new LinkedHashMap<>();
		for (ScopeType type : InMemoryUsageLedger.TRACKED_TYPES) {
			byte[] key = this.keys.top(type);
			tops.put(type, (topScopes > 0) ? commands.zrange(key, 0, topScopes - 1L).toCompletableFuture()
					: CompletableFuture.completedFuture(List.of()));
			tracked.put(type, commands.zcard(key).toCompletableFuture());
		}
		List<CompletableFuture<?>> indexes = new ArrayList<>(tops.values());
		indexes.addAll(tracked.values());
		indexes.add(modelNames);
		this.redis.awaitAll(indexes);

		long now = this.clock.millis();
		List<CompletableFuture<?>> reads = new ArrayList<>();
		CompletableFuture<List<Object>> global = read(commands, this.keys.global(), now);
		reads.add(global);
		Map<String, CompletableFuture<List<Object>>> models = new TreeMap<>();
		for (byte[] name : modelNames.join()) {
			String model = string(name);
			models.put(model, read(commands, this.keys.model(model), now));
		}
		reads.addAll(models.values());
		Map<ScopeType, Map<String, CompletableFuture<List<Object>>>> scopes = new LinkedHashMap<>();
		tops.forEach((type, ids) -> {
			Map<String, CompletableFuture<List<Object>>> byId = new LinkedHashMap<>();
			ids.join().forEach((id) -> byId.put(string(id), read(commands, this.keys.scope(type, string(id)), now)));
			reads.addAll(byId.values());
			scopes.put(type, byId);
		});
		this.redis.awaitAll(reads);

		Map<String, UsageSummary> byModel = new TreeMap<>();
		List<String> unpriced = new ArrayList<>();
		models.forEach((model, read) -> {
			UsageSummary summary = summary(read.join());
			byModel.put(model, summary);
			if (summary.total().unpricedCalls() > 0) {
				unpriced.add(model);
			}
		});
		Map<String, ScopeReport> scopeReports = new LinkedHashMap<>();
		scopes.forEach((type, byId) -> {
			List<ScopeUsage> top = new ArrayList<>();
			byId.forEach((id, read) -> top.add(new ScopeUsage(id, summary(read.join()))));
			scopeReports.put(type.value(), new ScopeReport(tracked.get(type).join(), List.copyOf(top)));
		});
		return new FleetUsage(summary(global.join()), byModel, scopeReports, List.copyOf(unpriced));
	}

	/**
	 * Read the figures of one dimension.
	 * @param type the scope type
	 * @param id the scope id, ignored for the global scope
	 * @return the summary
	 * @throws io.github.airesource.core.redis.RedisUnavailableException if Redis fails
	 */
	UsageSummary scope(ScopeType type, String id) {
		return summary(this.redis.await(read(this.redis.commands(), this.keys.scope(type, id), this.clock.millis())));
	}

	private CompletableFuture<List<Object>> read(RedisClusterAsyncCommands<byte[], byte[]> commands,
			RedisKeys.Group dimension, long now) {
		List<byte[]> keys = new ArrayList<>();
		keys.add(UsageRedisKeys.total(dimension));
		for (UsageWindow window : WINDOWS) {
			for (long bucket : window.bucketsAt(now)) {
				keys.add(UsageRedisKeys.bucket(dimension, window, bucket));
			}
		}
		return READ.run(commands, ScriptOutputType.MULTI, keys.toArray(byte[][]::new), this.args);
	}

	private static UsageSummary summary(List<Object> values) {
		UsageTotals[] totals = new UsageTotals[1 + WINDOWS.length];
		for (int part = 0; part < totals.length; part++) {
			long[] fields = new long[FIELDS];
			for (int f = 0; f < FIELDS; f++) {
				fields[f] = ((Number) values.get(part * FIELDS + f)).longValue();
			}
			totals[part] = UsageField.totals(fields);
		}
		return new UsageSummary(totals[0], totals[1], totals[2], totals[3]);
	}

	private static byte[][] readArgs() {
		List<byte[]> args = new ArrayList<>();
		args.add(ResourceRedis.bytes(Integer.toString(FIELDS)));
		for (UsageField field : UsageField.values()) {
			args.add(ResourceRedis.bytes(field.key()));
		}
		args.add(ResourceRedis.bytes(Integer.toString(WINDOWS.length)));
		for (UsageWindow window : WINDOWS) {
			args.add(ResourceRedis.bytes(Integer.toString(window.buckets())));
		}
		return args.toArray(byte[][]::new);
	}

	private static String string(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

	/**
	 * What Redis holds for the whole fleet.
	 *
	 * @param global every call
	 * @param models per model
	 * @param scopes per scope type
	 * @param unpricedModels models used without a price
	 */
	record FleetUsage(UsageSummary global, Map<String, UsageSummary> models, Map<String, ScopeReport> scopes,
			List<String> unpricedModels) {
	}

}
