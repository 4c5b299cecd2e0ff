package io.github.airesource.core.usage.ledger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.UsageReport.ScopeReport;
import io.github.airesource.core.usage.ledger.UsageReport.ScopeUsage;
import org.springframework.util.Assert;

/**
 * A ledger in this instance's memory: global, per model, per tenant and per user.
 *
 * <p>
 * Tenants and users are bounded together by {@code maxTrackedScopes} (models separately
 * by the same number): when more are seen, Caffeine evicts the least valuable, idle ones
 * first, so a flood of distinct users cannot exhaust the heap. Each tracked scope costs
 * about 6 KB. Conversations are not tracked here: they are many and short-lived.
 */
public final class InMemoryUsageLedger implements UsageLedger {

	/** The scope types this ledger tracks besides the global one. */
	public static final List<ScopeType> TRACKED_TYPES = List.of(ScopeType.TENANT, ScopeType.USER);

	/**
	 * Most expensive first, equal costs by id in byte order: exactly the order of the
	 * Redis ledger's sorted sets, so that both stores list the same top scopes.
	 */
	static final Comparator<ScopeUsage> BY_COST_THEN_ID = Comparator
		.comparing((ScopeUsage scope) -> scope.usage().total().cost())
		.reversed()
		.thenComparing(ScopeUsage::id, InMemoryUsageLedger::compareUtf8);

	private final Clock clock;

	private final UsageCounters global = new UsageCounters();

	private final Cache<String, UsageCounters> models;

	private final Cache<ScopeKey, UsageCounters> scopes;

	public InMemoryUsageLedger(int maxTrackedScopes, Clock clock) {
		Assert.isTrue(maxTrackedScopes > 0, "maxTrackedScopes must be positive");
		Assert.notNull(clock, "clock must not be null");
		this.clock = clock;
		// Maintenance on the calling thread: handing it to a pool thread costs a wake-up
		// per
		// burst of calls, far more than the few nanoseconds it takes inline.
		this.models = Caffeine.newBuilder().maximumSize(maxTrackedScopes).executor(Runnable::run).build();
		this.scopes = Caffeine.newBuilder().maximumSize(maxTrackedScopes).executor(Runnable::run).build();
	}

	@Override
	public void onUsage(UsageRecord record, CallScope scope) {
		add(UsageField.deltas(record), record.ledgerKey(), scope);
	}

	/**
	 * Add counter increments, as the Redis ledger does for calls it could not share.
	 * @param deltas increments indexed by {@link UsageField} ordinal
	 * @param model the model
	 * @param scope the scope
	 */
	void add(long[] deltas, String model, CallScope scope) {
		long now = this.clock.millis();
		this.global.add(deltas, now);
		this.models.get(model, (name) -> new UsageCounters()).add(deltas, now);
		for (ScopeType type : TRACKED_TYPES) {
			this.scopes.get(new ScopeKey(type, scope.idOf(type)), (key) -> new UsageCounters()).add(deltas, now);
		}
	}

	@Override
	public UsageReport report(int topScopes) {
		long now = this.clock.millis();
		Map<String, UsageSummary> byModel = new TreeMap<>();
		List<String> unpriced = new ArrayList<>();
		this.models.asMap().forEach((model, counters) -> {
			byModel.put(model, counters.summary(now));
			if (counters.total(UsageField.UNPRICED_CALLS) > 0) {
				unpriced.add(model);
			}
		});
		unpriced.sort(null);
		Map<String, List<ScopeUsage>> byType = new LinkedHashMap<>();
		TRACKED_TYPES.forEach((type) -> byType.put(type.value(), new ArrayList<>()));
		this.scopes.asMap()
			.forEach((key, counters) -> byType.get(key.type().value())
				.add(new ScopeUsage(key.id(), counters.summary(now))));
		Map<String, ScopeReport> scopeReports = new LinkedHashMap<>();
		byType.forEach((type, usages) -> {
			usages.sort(BY_COST_THEN_ID);
			scopeReports.put(type,
					new ScopeReport(usages.size(), List.copyOf(usages.subList(0, Math.min(topScopes, usages.size())))));
		});
		return new UsageReport(UsageReport.StoreStatus.MEMORY, this.global.summary(now), byModel, scopeReports,
				List.copyOf(unpriced));
	}

	@Override
	public Optional<UsageSummary> scope(ScopeType type, String id) {
		if (type == ScopeType.GLOBAL) {
			return Optional.of(this.global.summary(this.clock.millis()));
		}
		UsageCounters counters = this.scopes.getIfPresent(new ScopeKey(type, id));
		return Optional.ofNullable(counters).map((found) -> found.summary(this.clock.millis()));
	}

	/**
	 * Return the number of tracked tenants and users, after pending evictions.
	 * @return the count
	 */
	public long trackedScopes() {
		this.scopes.cleanUp();
		return this.scopes.estimatedSize();
	}

	private static int compareUtf8(String left, String right) {
		return Arrays.compareUnsigned(left.getBytes(StandardCharsets.UTF_8), right.getBytes(StandardCharsets.UTF_8));
	}

	private record ScopeKey(ScopeType type, String id) {
	}

}
