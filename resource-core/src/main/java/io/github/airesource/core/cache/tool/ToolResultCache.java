package io.github.airesource.core.cache.tool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.airesource.core.cache.CacheControls;
import io.github.airesource.core.cache.CachePartition;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.CanonicalJson;
import io.github.airesource.core.cache.EntryBound;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.scope.CallScope;

import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * The results of the tools an application lists, kept in memory (Caffeine) for a TTL of
 * each tool's own, bounded by a number of entries and by their estimated bytes
 * ({@link EntryBound}): a tool that returns megabytes cannot fill the heap, and a result
 * larger than the whole byte bound is passed on but never kept.
 *
 * <p>
 * An entry's key is the tool's name, its arguments in canonical JSON
 * ({@link CanonicalJson}: key order and whitespace do not matter) and the partition of
 * the call: the tenant always, the user too when the cache is per user, and the namespace
 * the caller chose ({@code ai.resource.cache.namespace}). The partition comes from the
 * tool call's context ({@link ToolCallScopes}); a call whose context names nobody is run
 * and not cached, so no tenant is ever served another's result. Only a tool's returned
 * result is stored: a tool that throws is not cached, and the next call runs it again.
 * The per-call controls {@code ai.resource.cache.bypass} (neither look up nor store) and
 * {@code ai.resource.cache.refresh} (run the tool and replace the entry) apply when they
 * reach the tool context.
 *
 * <p>
 * Tools reach the cache through a {@link CachingToolCallback}; {@link #decorate} wraps a
 * tool when, and only when, it is listed.
 */
public final class ToolResultCache implements ManagedCache {

	/** The name of this cache in the endpoint and the metrics. */
	public static final String NAME = "tool";

	/** Most estimated bytes of results kept, unless configured otherwise: 64 MB. */
	public static final long DEFAULT_MAX_BYTES = 64L << 20;

	/**
	 * Bytes an entry takes besides its strings: the key and partition records and
	 * Caffeine's node with its expiry and weight.
	 */
	static final int ENTRY_OVERHEAD = 320;

	private final Map<String, Duration> ttls;

	private final boolean perUser;

	private final CacheStatistics statistics = new CacheStatistics();

	private final Cache<Key, String> entries;

	private ToolResultCache(Builder builder) {
		this.ttls = Collections.unmodifiableMap(new LinkedHashMap<>(builder.ttls));
		this.perUser = builder.perUser;
		EntryBound bound = new EntryBound(builder.maxEntries, builder.maxBytes);
		this.entries = Caffeine.newBuilder()
			.maximumWeight(bound.maximumWeight())
			.weigher((Key key, String result) -> bound.weight(bytes(key, result)))
			.ticker(builder.ticker)
			// Maintenance on the calling thread, so that the bounds hold when put
			// returns.
			.executor(Runnable::run)
			.expireAfter(new PerToolExpiry(this.ttls))
			.evictionListener((Key key, String value, RemovalCause cause) -> {
				if (cause == RemovalCause.SIZE) {
					this.statistics.recordEviction();
				}
			})
			.build();
	}

	/**
	 * Start building a cache.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return whether a tool's results are cached.
	 * @param toolName the tool's name
	 * @return whether the tool is listed
	 */
	public boolean caches(String toolName) {
		return this.ttls.containsKey(toolName);
	}

	/**
	 * Return the names of the tools whose results are cached.
	 * @return the names
	 */
	public List<String> toolNames() {
		return List.copyOf(this.ttls.keySet());
	}

	/**
	 * Return how long a tool's results are kept.
	 * @param toolName the tool's name
	 * @return the TTL, or {@code null} when the tool is not cached
	 */
	@Nullable
	public Duration ttlOf(String toolName) {
		return this.ttls.get(toolName);
	}

	/**
	 * Return a tool that answers from this cache when the tool is listed, else the tool
	 * itself.
	 * @param tool the tool, or {@code null}
	 * @return the decorated tool, the tool itself, or {@code null} for {@code null}
	 */
	@Nullable
	public ToolCallback decorate(@Nullable ToolCallback tool) {
		if (tool == null || tool instanceof CachingToolCallback || !caches(tool.getToolDefinition().name())) {
			return tool;
		}
		return new CachingToolCallback(tool, this);
	}

	/**
	 * Decorate the listed tools of a list.
	 * @param tools the tools
	 * @return the same list when no tool needed decorating, else a new list
	 */
	public List<ToolCallback> decorate(List<ToolCallback> tools) {
		List<ToolCallback> decorated = null;
		for (int i = 0; i < tools.size(); i++) {
			ToolCallback tool = tools.get(i);
			ToolCallback wrapped = decorate(tool);
			if (wrapped != tool && decorated == null) {
				decorated = new ArrayList<>(tools.subList(0, i));
			}
			if (decorated != null) {
				decorated.add(wrapped);
			}
		}
		return (decorated != null) ? decorated : tools;
	}

	/**
	 * Run a tool through the cache: answer a repeated call from it, else run the tool and
	 * keep its result.
	 * @param tool the tool
	 * @param input the arguments, JSON
	 * @param toolContext the tool context, or {@code null} for a call without one (never
	 * cached: it names nobody)
	 * @return the result
	 */
	@Nullable
	String call(ToolCallback tool, String input, @Nullable ToolContext toolContext) {
		String name = tool.getToolDefinition().name();
		if (!caches(name)) {
			return run(tool, input, toolContext);
		}
		CallScope scope = ToolCallScopes.of(toolContext);
		CacheControls controls = (toolContext != null) ? CacheControls.of(toolContext.getContext())
				: CacheControls.NONE;
		if (scope == null || controls.bypass()) {
			this.statistics.recordBypass();
			return run(tool, input, toolContext);
		}
		Key key = new Key(name, CachePartition.of(scope, this.perUser, controls.namespace()),
				CanonicalJson.canonicalize(input));
		if (controls.refresh()) {
			this.statistics.recordBypass();
		}
		else {
			String cached = this.entries.getIfPresent(key);
			if (cached != null) {
				this.statistics.recordHit();
				return cached;
			}
			this.statistics.recordMiss();
		}
		// Run outside any cache lock: a tool may be slow, and a tool that throws leaves
		// nothing behind.
		String result = run(tool, input, toolContext);
		if (result != null) {
			this.entries.put(key, result);
			this.statistics.recordStore();
		}
		return result;
	}

	/**
	 * The estimated bytes of an entry: two per character of its strings (an over-estimate
	 * for Latin-1 text, which the JVM keeps in one), plus the overhead.
	 */
	static long bytes(Key key, String result) {
		CachePartition partition = key.partition();
		long chars = (long) result.length() + key.tool().length() + key.arguments().length()
				+ partition.tenant().length() + partition.user().length() + partition.namespace().length();
		return 2 * chars + ENTRY_OVERHEAD;
	}

	@Nullable
	private static String run(ToolCallback tool, String input, @Nullable ToolContext toolContext) {
		return (toolContext != null) ? tool.call(input, toolContext) : tool.call(input);
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public long size() {
		// Expired entries linger until Caffeine's next maintenance: count only live ones.
		this.entries.cleanUp();
		return this.entries.estimatedSize();
	}

	@Override
	public CacheStatistics statistics() {
		return this.statistics;
	}

	@Override
	public long clear() {
		return remove((key) -> true);
	}

	@Override
	public long clearTenant(String tenant) {
		Assert.notNull(tenant, "tenant must not be null");
		return remove((key) -> key.partition().tenant().equals(tenant));
	}

	private long remove(Predicate<Key> which) {
		ConcurrentMap<Key, String> map = this.entries.asMap();
		long removed = 0;
		for (Key key : map.keySet()) {
			// Counts only what this call removed, not entries expiring meanwhile.
			if (which.test(key) && map.remove(key) != null) {
				removed++;
			}
		}
		return removed;
	}

	/**
	 * The key of one tool result.
	 *
	 * @param tool the tool's name
	 * @param partition who may read the result
	 * @param arguments the arguments in canonical JSON
	 */
	record Key(String tool, CachePartition partition, String arguments) {
	}

	/**
	 * Each entry lives for its tool's TTL from its last write.
	 */
	private record PerToolExpiry(Map<String, Duration> ttls) implements Expiry<Key, String> {

		@Override
		public long expireAfterCreate(Key key, String value, long currentTime) {
			Duration ttl = this.ttls.get(key.tool());
			return (ttl != null) ? saturatedNanos(ttl) : 0;
		}

		@Override
		public long expireAfterUpdate(Key key, String value, long currentTime, long currentDuration) {
			return expireAfterCreate(key, value, currentTime);
		}

		@Override
		public long expireAfterRead(Key key, String value, long currentTime, long currentDuration) {
			return currentDuration;
		}

		private static long saturatedNanos(Duration ttl) {
			try {
				return ttl.toNanos();
			}
			catch (ArithmeticException ex) {
				return Long.MAX_VALUE;
			}
		}

	}

	/**
	 * Builds a {@link ToolResultCache}.
	 */
	public static final class Builder {

		private final Map<String, Duration> ttls = new LinkedHashMap<>();

		private final Map<String, Duration> tools = new LinkedHashMap<>();

		private Duration defaultTtl = Duration.ofMinutes(10);

		private long maxEntries = 10_000;

		private long maxBytes = DEFAULT_MAX_BYTES;

		private boolean perUser;

		private Ticker ticker = Ticker.systemTicker();

		private Builder() {
		}

		/**
		 * Cache a tool's results for the default TTL.
		 * @param name the tool's name
		 * @return this builder
		 */
		public Builder tool(String name) {
			return tool(name, null);
		}

		/**
		 * Cache a tool's results.
		 * @param name the tool's name
		 * @param ttl how long to keep them, or {@code null} for the default TTL
		 * @return this builder
		 */
		public Builder tool(String name, @Nullable Duration ttl) {
			Assert.hasText(name, "name must not be empty");
			Assert.isTrue(ttl == null || (!ttl.isNegative() && !ttl.isZero()), "ttl must be positive");
			this.tools.put(name, ttl);
			return this;
		}

		/**
		 * Cache the results of several tools.
		 * @param tools TTL by tool name; a {@code null} TTL means the default TTL
		 * @return this builder
		 */
		public Builder tools(Map<String, Duration> tools) {
			tools.forEach(this::tool);
			return this;
		}

		/**
		 * Set the TTL of the tools listed without one.
		 * @param defaultTtl the TTL, positive
		 * @return this builder
		 */
		public Builder defaultTtl(Duration defaultTtl) {
			Assert.isTrue(defaultTtl != null && !defaultTtl.isNegative() && !defaultTtl.isZero(),
					"defaultTtl must be positive");
			this.defaultTtl = defaultTtl;
			return this;
		}

		/**
		 * Bound the number of entries kept.
		 * @param maxEntries the most entries, at least 1
		 * @return this builder
		 */
		public Builder maxEntries(long maxEntries) {
			Assert.isTrue(maxEntries > 0 && maxEntries <= Integer.MAX_VALUE,
					"maxEntries must be between 1 and " + Integer.MAX_VALUE);
			this.maxEntries = maxEntries;
			return this;
		}

		/**
		 * Bound the estimated bytes of the results kept; a result larger than this on its
		 * own is never kept.
		 * @param maxBytes the most bytes, at least 1
		 * @return this builder
		 */
		public Builder maxBytes(long maxBytes) {
			Assert.isTrue(maxBytes > 0, "maxBytes must be positive");
			this.maxBytes = maxBytes;
			return this;
		}

		/**
		 * Set whether results are kept per user rather than shared by a tenant's users.
		 * @param perUser whether to partition by user too
		 * @return this builder
		 */
		public Builder perUser(boolean perUser) {
			this.perUser = perUser;
			return this;
		}

		/**
		 * Set the time source of expiry, for tests.
		 * @param ticker the ticker
		 * @return this builder
		 */
		public Builder ticker(Ticker ticker) {
			Assert.notNull(ticker, "ticker must not be null");
			this.ticker = ticker;
			return this;
		}

		/**
		 * Build the cache.
		 * @return the cache
		 */
		public ToolResultCache build() {
			this.ttls.clear();
			this.tools.forEach((name, ttl) -> this.ttls.put(name, (ttl != null) ? ttl : this.defaultTtl));
			return new ToolResultCache(this);
		}

	}

}
