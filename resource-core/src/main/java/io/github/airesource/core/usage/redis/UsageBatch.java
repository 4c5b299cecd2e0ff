package io.github.airesource.core.usage.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.airesource.core.redis.RedisKeys;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageField;
import io.github.airesource.core.usage.ledger.UsageWindow;

/**
 * The calls one round trip writes, merged per Redis key: one {@link DimensionWrite} per
 * usage dimension they touch and one {@link IndexWrite}. A batch is sized by the Redis
 * commands its scripts will run, not by its number of calls: a call by a new user adds
 * some forty commands, a call by a user already in the batch none, and a round trip of
 * very many commands would outlast the Redis timeout.
 */
final class UsageBatch {

	private static final UsageWindow[] WINDOWS = UsageWindow.values();

	/** Commands of a script's bookkeeping: reading and writing its applied marker. */
	private static final int SCRIPT_OVERHEAD = 3;

	/** Commands per counter hash: one increment per field at most, and its TTL. */
	private static final int COMMANDS_PER_COUNTER = UsageField.values().length + 1;

	private final long sequence;

	private final UsageRedisKeys keys;

	private final long retentionMillis;

	private final Map<String, DimensionWrite> dimensions = new LinkedHashMap<>();

	private final IndexWrite index;

	private int calls;

	private int commands = SCRIPT_OVERHEAD;

	UsageBatch(long sequence, UsageRedisKeys keys, long retentionMillis) {
		this.sequence = sequence;
		this.keys = keys;
		this.retentionMillis = retentionMillis;
		this.index = new IndexWrite(keys);
	}

	/**
	 * Add a call unless its commands would take the batch over the limit; a batch always
	 * takes its first call.
	 * @param usage the call
	 * @param maxCommands the most commands of the batch
	 * @return whether the call was added
	 */
	boolean add(PendingUsage usage, int maxCommands) {
		List<Target> targets = targetsOf(usage);
		int added = addedCommands(usage, targets);
		if (this.calls > 0 && this.commands + added > maxCommands) {
			return false;
		}
		this.commands += added;
		this.calls++;
		for (Target target : targets) {
			DimensionWrite dimension = this.dimensions.computeIfAbsent(target.group().base(),
					(base) -> new DimensionWrite(target.group()));
			dimension.add(UsageRedisKeys.total(target.group()), this.retentionMillis, usage.deltas());
			for (UsageWindow window : WINDOWS) {
				dimension.add(UsageRedisKeys.bucket(target.group(), window, window.bucketOf(usage.atMillis())),
						window.retention().toMillis(), usage.deltas());
			}
		}
		this.index.add(usage);
		return true;
	}

	private int addedCommands(PendingUsage usage, List<Target> targets) {
		int added = this.index.addedCommands(usage);
		for (Target target : targets) {
			DimensionWrite known = this.dimensions.get(target.group().base());
			if (known == null) {
				added += SCRIPT_OVERHEAD + (1 + WINDOWS.length) * COMMANDS_PER_COUNTER;
			}
			else {
				for (UsageWindow window : WINDOWS) {
					if (!known.has(UsageRedisKeys.bucket(target.group(), window, window.bucketOf(usage.atMillis())))) {
						added += COMMANDS_PER_COUNTER;
					}
				}
			}
		}
		return added;
	}

	private List<Target> targetsOf(PendingUsage usage) {
		List<Target> targets = new ArrayList<>(2 + InMemoryUsageLedger.TRACKED_TYPES.size());
		targets.add(new Target(this.keys.global()));
		targets.add(new Target(this.keys.model(usage.model())));
		for (ScopeType type : InMemoryUsageLedger.TRACKED_TYPES) {
			targets.add(new Target(this.keys.scope(type, usage.scope().idOf(type))));
		}
		return targets;
	}

	long sequence() {
		return this.sequence;
	}

	int calls() {
		return this.calls;
	}

	int commands() {
		return this.commands;
	}

	/**
	 * Return the scripts of the batch, one per hash slot.
	 * @return the dimension writes and the index write
	 */
	List<SlotWrite> writes() {
		List<SlotWrite> writes = new ArrayList<>(this.dimensions.values());
		writes.add(this.index);
		return writes;
	}

	private record Target(RedisKeys.Group group) {
	}

	/**
	 * The part of a batch that one script writes, all in one hash slot. Remembers whether
	 * Redis confirmed it and whether it was ever sent, since a write sent without an
	 * answer may have been applied.
	 */
	abstract static class SlotWrite {

		private boolean applied;

		private boolean sent;

		boolean applied() {
			return this.applied;
		}

		boolean sent() {
			return this.sent;
		}

		void markSent() {
			this.sent = true;
		}

		void markApplied() {
			this.applied = true;
		}

	}

	/**
	 * The increments of one usage dimension's counter hashes.
	 */
	static final class DimensionWrite extends SlotWrite {

		private final RedisKeys.Group group;

		private final Map<Key, Counter> counters = new LinkedHashMap<>();

		DimensionWrite(RedisKeys.Group group) {
			this.group = group;
		}

		RedisKeys.Group group() {
			return this.group;
		}

		boolean has(byte[] key) {
			return this.counters.containsKey(new Key(key));
		}

		void add(byte[] key, long ttlMillis, long[] deltas) {
			long[] sums = this.counters
				.computeIfAbsent(new Key(key), (k) -> new Counter(ttlMillis, new long[deltas.length]))
				.deltas();
			for (int i = 0; i < deltas.length; i++) {
				sums[i] += deltas[i];
			}
		}

		Map<Key, Counter> counters() {
			return this.counters;
		}

	}

	/**
	 * A counter hash's TTL and increments.
	 *
	 * @param ttlMillis the TTL to set
	 * @param deltas the increments by {@link UsageField} ordinal
	 */
	record Counter(long ttlMillis, long[] deltas) {
	}

	/**
	 * A Redis key as a map key: byte arrays compare by identity.
	 *
	 * @param bytes the key
	 */
	record Key(byte[] bytes) {

		@Override
		public boolean equals(Object other) {
			return other instanceof Key key && java.util.Arrays.equals(this.bytes, key.bytes);
		}

		@Override
		public int hashCode() {
			return java.util.Arrays.hashCode(this.bytes);
		}

	}

	/**
	 * The models used and the cost per tenant and user, for the indexes.
	 */
	static final class IndexWrite extends SlotWrite {

		private final UsageRedisKeys keys;

		private final Set<String> models = new LinkedHashSet<>();

		private final Map<ScopeType, Map<String, Long>> costs = new LinkedHashMap<>();

		IndexWrite(UsageRedisKeys keys) {
			this.keys = keys;
			InMemoryUsageLedger.TRACKED_TYPES.forEach((type) -> this.costs.put(type, new LinkedHashMap<>()));
		}

		int addedCommands(PendingUsage usage) {
			int added = this.models.contains(usage.model()) ? 0 : 2;
			for (ScopeType type : InMemoryUsageLedger.TRACKED_TYPES) {
				added += this.costs.get(type).containsKey(usage.scope().idOf(type)) ? 0 : 1;
			}
			return added;
		}

		void add(PendingUsage usage) {
			this.models.add(usage.model());
			long cost = usage.deltas()[UsageField.COST_NANOS.ordinal()];
			for (ScopeType type : InMemoryUsageLedger.TRACKED_TYPES) {
				this.costs.get(type).merge(usage.scope().idOf(type), cost, Long::sum);
			}
		}

		UsageRedisKeys keys() {
			return this.keys;
		}

		Set<String> models() {
			return this.models;
		}

		Map<ScopeType, Map<String, Long>> costs() {
			return this.costs;
		}

	}

}
