package io.github.airesource.soak;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.lettuce.core.api.StatefulRedisConnection;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.alerts.AlertsEndpoint;
import io.github.airesource.actuate.budget.BudgetKeyDescriptor;
import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.autoconfigure.pool.ConnectionPoolStats;
import io.github.airesource.autoconfigure.pool.ConnectionPools;
import io.github.airesource.core.HeldResources;
import io.github.airesource.core.budget.BudgetAdvisor;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.concurrency.ConcurrencySnapshot;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.ledger.UsageTotals;
import io.github.airesource.core.usage.redis.RedisUsageLedger;
import io.github.airesource.soak.LoopbackProvider.ModelRequest;
import io.github.airesource.soak.RedisOutages.Outage;
import io.github.airesource.testsupport.RedisServerProcess;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The soak: two instances of an application with every feature of the starter on share
 * one Redis (a {@code redis-server} of the test's own, with an append-only file) while
 * {@value SoakCallers#CALLERS} callers mix calls and streams with cancellations and
 * timeouts, a loopback provider answers 429s, 500s and slow answers now and then, and
 * Redis is stopped and restarted twice. Afterwards: no budget or rate limit was exceeded
 * by the fleet, nothing is reserved and every permit, connection and thread is back, the
 * heap is back near where it started, the ledger equals the provider's bill, and the
 * failure mode (fail-closed) held while Redis was down. The summary table is printed and
 * written to {@code target/soak-summary.md}.
 *
 * <p>
 * {@code soak.duration} sets how long the load lasts (30 seconds in the default build, 3
 * minutes with {@code -Psoak}).
 */
class SoakTests {

	private static final Duration LOAD = DurationStyle.detectAndParse(System.getProperty("soak.duration", "30s"));

	private static final Path SUMMARY = Path.of(System.getProperty("soak.report-dir", "target"), "soak-summary.md");

	/**
	 * Each outage: a fifteenth of the load, from 2 to 4 seconds (or {@code soak.outage}),
	 * plus the restart. While Redis is down, every call the soak makes is recorded
	 * (refusals and semantic-cache embeddings too) and waits to be written to Redis,
	 * merged per key by the usage writer, so longer outages fit too.
	 */
	private static final Duration OUTAGE = DurationStyle.detectAndParse(
			System.getProperty("soak.outage", Math.min(4_000, Math.max(2_000, LOAD.toMillis() / 15)) + "ms"));

	/** How long an essay takes the provider: longer than the timeout. */
	private static final Duration ESSAY = SoakApplication.TIMEOUT.plusSeconds(2);

	/** Heap the soak may leave behind, after garbage collection: caches fill up. */
	private static final long HEAP_ALLOWANCE = 64L * 1024 * 1024;

	/**
	 * Threads the soak may leave behind, idle: workers of bounded pools (the timeout's,
	 * the summarizer's, Reactor's) and event loops started on demand. Bounded by the
	 * callers, not by the thousands of calls they made.
	 */
	private static final int THREAD_ALLOWANCE = SoakCallers.CALLERS;

	@Test
	void whenTwoInstancesShareOneRedisUnderLoadFaultsAndOutagesThenNoLimitIsExceededNothingLeaksAndTheLedgerMatchesTheBill()
			throws Exception {
		SoakSummary summary = new SoakSummary();
		String title = "Soak: " + LOAD.toSeconds() + " s of load";
		try (RedisServerProcess redis = RedisServerProcess.startWithAppendOnlyFile();
				LoopbackProvider provider = new LoopbackProvider(PricingCatalog.withDefaults(), ESSAY)) {
			WordBagEmbeddingModel embeddings = new WordBagEmbeddingModel(provider);
			List<ConfigurableApplicationContext> instances = new ArrayList<>();
			try {
				long start = System.nanoTime();
				instances.add(SoakApplication.start("soak-a", redis.url(), provider, embeddings));
				instances.add(SoakApplication.start("soak-b", redis.url(), provider, embeddings));
				summary.section("Machine");
				summary.figure("instances started in", Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
				summary.figure("load average at the start", loadAverage());
				soak(summary, redis, provider, instances);
			}
			finally {
				instances.forEach(ConfigurableApplicationContext::close);
				// Also when the soak broke off: what it saw until then.
				System.out.println(summary.render(title));
				summary.write(SUMMARY, title);
			}
		}
		assertThat(summary.failures()).as("failed checks (table in %s)", SUMMARY).isEmpty();
	}

	private void soak(SoakSummary summary, RedisServerProcess redis, LoopbackProvider provider,
			List<ConfigurableApplicationContext> instances) throws Exception {
		List<ChatClient> clients = instances.stream()
			.map((context) -> context.getBean(ChatClient.Builder.class).build())
			.toList();
		SoakCallers callers = new SoakCallers(clients);
		callers.warmUp();
		Map<Long, String> threadsBefore = liveThreads();
		long heapBefore = heapAfterGc();

		loadAndCheck(summary, redis, provider, instances, callers);
		// The records of the calls and the provider's book are the test's, not the
		// application's: dropped before the heap is measured.
		callers.forget();
		provider.forget();
		leaks(summary, redis, instances, threadsBefore, heapBefore);
		summary.section("Alerts");
		instances.forEach((context) -> summary.figure(context.getEnvironment().getProperty("spring.application.name"),
				context.getBean(AlertsEndpoint.class)
					.alerts()
					.transitions()
					.stream()
					.map((transition) -> transition.rule() + " " + transition.status())
					.collect(Collectors.groupingBy((transition) -> transition, TreeMap::new, Collectors.counting()))));
	}

	private void loadAndCheck(SoakSummary summary, RedisServerProcess redis, LoopbackProvider provider,
			List<ConfigurableApplicationContext> instances, SoakCallers callers) throws Exception {
		long loadStart = System.currentTimeMillis();
		List<Outage> outages;
		try (RedisOutages planned = new RedisOutages(redis, OUTAGE, new InstancesProbe(instances))) {
			planned.schedule(LOAD);
			callers.run(System.nanoTime() + LOAD.toNanos());
			outages = planned.await();
		}
		long loadEnd = System.currentTimeMillis();
		summary.figure("load average at the end of the load", loadAverage());

		summary.section("Settling after the load");
		long settleStart = System.nanoTime();
		eventually(Duration.ofSeconds(60), () -> instances.stream().allMatch(SoakTests::settled));
		Map<String, Set<String>> budgetKeys = budgetKeys(callers.records());
		eventually(SoakApplication.RESERVATION_TTL.plusSeconds(30),
				() -> reserved(instances.get(0), budgetKeys).isEmpty());
		summary.figure("settled (permits back, writes flushed, nothing reserved) after",
				Duration.ofNanos(System.nanoTime() - settleStart).toMillis() + " ms");
		redisFailures(summary, instances, outages);

		SoakChecks checks = new SoakChecks(callers.records(), provider.requests(), loadStart, loadEnd);
		checks.load(summary);
		limits(summary, checks, outages, new InstancesProbe(instances).sum(BudgetAdvisor::abandonedSettlements));
		checks.outages(summary, outages);
		held(summary, instances, budgetKeys);
		ledger(summary, checks, instances);
	}

	/**
	 * What the outages ask the instances, through their beans.
	 */
	private record InstancesProbe(List<ConfigurableApplicationContext> instances) implements RedisOutages.Probe {

		@Override
		public boolean showsOutage() {
			return this.instances.stream()
				.allMatch((context) -> !context.getBean(RedisUsageLedger.class).report(1).store().fleetWide());
		}

		@Override
		public long backlog() {
			return this.instances.stream()
				.mapToLong((context) -> context.getBean(RedisUsageLedger.class).pendingWrites())
				.sum();
		}

		@Override
		public long failedSettlements() {
			return sum(BudgetAdvisor::failedSettlements);
		}

		long sum(ToLongFunction<BudgetAdvisor> figure) {
			return this.instances.stream()
				.mapToLong((context) -> figure.applyAsLong(context.getBean(BudgetAdvisor.class)))
				.sum();
		}

	}

	/**
	 * Add what failed in Redis round trips, per instance and feature: the failure mode
	 * applied to each.
	 */
	private static void redisFailures(SoakSummary summary, List<ConfigurableApplicationContext> instances,
			List<Outage> outages) {
		InstancesProbe probe = new InstancesProbe(instances);
		long failed = probe.failedSettlements();
		summary.figure("budget settlements failed outside the outages (Redis too slow to answer within its timeout)",
				failed - outages.stream().mapToLong(Outage::failedSettlements).sum());
		long recovered = probe.sum(BudgetAdvisor::recoveredSettlements);
		long abandoned = probe.sum(BudgetAdvisor::abandonedSettlements);
		long pending = probe.sum(BudgetAdvisor::pendingSettlements);
		summary.check("every budget settlement that failed was retried until Redis took it (none abandoned)",
				recovered == failed && abandoned == 0 && pending == 0, failed + " failed, " + recovered
						+ " recovered by a retry, " + abandoned + " abandoned, " + pending + " still pending");
		for (ConfigurableApplicationContext context : instances) {
			Map<String, Long> failures = new TreeMap<>();
			context.getBean(MeterRegistry.class)
				.find("ai.resource.redis.failures")
				.functionCounters()
				.forEach((counter) -> failures.put(counter.getId().getTag("feature"), (long) counter.count()));
			summary.figure(
					context.getEnvironment().getProperty("spring.application.name") + ": failed Redis round trips",
					failures + "; budget settlements failed: "
							+ context.getBean(BudgetAdvisor.class).failedSettlements()
							+ ", rate-limit corrections failed: "
							+ context.getBean(RateLimitAdvisor.class).failedAdjustments()
							+ " (retried with the budget's settlement where they were settled with it)");
		}
	}

	private static void limits(SoakSummary summary, SoakChecks checks, List<Outage> outages, long abandoned) {
		summary.section("Limits, by the provider's clock and bill");
		checks.rateLimit(summary, "fleet", (call) -> "global", SoakApplication.GLOBAL_RATE_REQUESTS,
				SoakApplication.GLOBAL_RATE_PERIOD);
		checks.rateLimit(summary, "tenant", CallRecord::tenant, SoakApplication.TENANT_RATE_REQUESTS,
				SoakApplication.TENANT_RATE_PERIOD);
		checks.rateLimit(summary, "user", CallRecord::user, SoakApplication.USER_RATE_REQUESTS,
				SoakApplication.USER_RATE_PERIOD);
		checks.budget(summary, "per-user", CallRecord::user, SoakApplication.USER_BUDGET_PERIOD,
				BigDecimal.valueOf(SoakApplication.USER_BUDGET_TOKENS),
				(request) -> BigDecimal.valueOf(request.promptTokens() + request.completionTokens()), "tokens", outages,
				abandoned);
		checks.budget(summary, "per-tenant", CallRecord::tenant, SoakApplication.TENANT_BUDGET_PERIOD,
				new BigDecimal(SoakApplication.TENANT_BUDGET_COST), ModelRequest::cost, "USD", outages, abandoned);
		summary.figure("rate limit 'user-tokens'", "on, not checked against the bill: a call's tokens are "
				+ "corrected to its estimate when it is cancelled, which the provider bills more for");
	}

	/**
	 * Whether an instance has nothing in flight: no permit or queued call, nothing held,
	 * no leased or awaited connection, no usage write or budget settlement retry pending.
	 */
	private static boolean settled(ConfigurableApplicationContext context) {
		ConcurrencySnapshot bulkhead = context.getBean(ConcurrencyBulkhead.class).snapshot();
		boolean nothingHeld = context.getBeansOfType(HeldResources.class)
			.values()
			.stream()
			.allMatch((held) -> held.held().values().stream().allMatch((count) -> count == 0));
		boolean poolsIdle = context.getBean(ConnectionPools.class)
			.stats()
			.stream()
			.allMatch((pool) -> pool.leased() == 0 && pool.pending() == 0);
		return bulkhead.active() == 0 && bulkhead.queued().total() == 0 && nothingHeld && poolsIdle
				&& context.getBean(RedisUsageLedger.class).pendingWrites() == 0
				&& context.getBean(BudgetAdvisor.class).pendingSettlements() == 0;
	}

	private static Map<String, Set<String>> budgetKeys(List<CallRecord> calls) {
		Map<String, Set<String>> keys = new LinkedHashMap<>();
		keys.put("per-user", calls.stream().map(CallRecord::user).collect(Collectors.toCollection(TreeSet::new)));
		keys.put("per-tenant", calls.stream().map(CallRecord::tenant).collect(Collectors.toCollection(TreeSet::new)));
		return keys;
	}

	/**
	 * The budget keys that still hold a reservation, read from the shared store.
	 */
	private static List<String> reserved(ConfigurableApplicationContext context, Map<String, Set<String>> keys) {
		BudgetsEndpoint budgets = context.getBean(BudgetsEndpoint.class);
		List<String> reserved = new ArrayList<>();
		keys.forEach((limit, ids) -> ids.forEach((id) -> {
			BudgetKeyDescriptor key = budgets.key(limit, id);
			if (key.error() != null || key.reservedTokens() != 0 || key.reservedCost().signum() != 0) {
				reserved.add(limit + "/" + id + " (" + ((key.error() != null) ? key.error()
						: key.reservedTokens() + " tokens, USD " + key.reservedCost()) + ")");
			}
		}));
		return reserved;
	}

	private static void held(SoakSummary summary, List<ConfigurableApplicationContext> instances,
			Map<String, Set<String>> budgetKeys) {
		summary.section("Held resources after the load");
		List<String> reserved = reserved(instances.get(0), budgetKeys);
		summary.check("nothing reserved in the budget store", reserved.isEmpty(),
				budgetKeys.values().stream().mapToInt(Set::size).sum() + " keys read, reserved: " + reserved);
		for (ConfigurableApplicationContext context : instances) {
			String name = context.getEnvironment().getProperty("spring.application.name");
			ConcurrencySnapshot bulkhead = context.getBean(ConcurrencyBulkhead.class).snapshot();
			Map<String, Long> held = new TreeMap<>();
			context.getBeansOfType(HeldResources.class).values().forEach((each) -> held.putAll(each.held()));
			summary.check(name + ": every bulkhead permit back, nothing held",
					bulkhead.active() == 0 && bulkhead.available() == bulkhead.max() && bulkhead.queued().total() == 0
							&& held.values().stream().allMatch((count) -> count == 0),
					"bulkhead " + bulkhead.active() + " active, " + bulkhead.available() + " of " + bulkhead.max()
							+ " available, " + bulkhead.queued().total() + " queued; held " + held);
			List<ConnectionPoolStats> pools = context.getBean(ConnectionPools.class).stats();
			summary.check(name + ": no pooled HTTP connection leased or awaited",
					!pools.isEmpty() && pools.stream().allMatch((pool) -> pool.leased() == 0 && pool.pending() == 0),
					pools.stream()
						.map((pool) -> pool.client() + ": " + pool.leased() + " leased, " + pool.available() + " idle, "
								+ pool.pending() + " pending")
						.collect(Collectors.joining("; ")));
			RedisUsageLedger ledger = context.getBean(RedisUsageLedger.class);
			summary.check(name + ": every recorded call written to Redis exactly once",
					ledger.pendingWrites() == 0 && ledger.failedWrites() == 0 && ledger.unknownWrites() == 0,
					ledger.writtenCalls() + " written, " + ledger.pendingWrites() + " pending, " + ledger.failedWrites()
							+ " failed (its backlog full while Redis was down), " + ledger.unknownWrites()
							+ " unknown");
		}
	}

	private static void ledger(SoakSummary summary, SoakChecks checks, List<ConfigurableApplicationContext> instances) {
		UsageReport report = instances.get(0).getBean(RedisUsageLedger.class).report(20);
		UsageReport other = instances.get(1).getBean(RedisUsageLedger.class).report(20);
		summary.check("both instances read the same fleet-wide totals from Redis",
				report.store().fleetWide() && other.store().fleetWide()
						&& report.global().total().equals(other.global().total()),
				"fleet-wide: " + report.store().fleetWide() + " and " + other.store().fleetWide());
		Map<String, UsageTotals> tenants = new HashMap<>();
		UsageReport.ScopeReport scopes = report.scopes().get("tenant");
		if (scopes != null) {
			scopes.top().forEach((scope) -> tenants.put(scope.id(), scope.usage().total()));
		}
		Map<String, UsageTotals> models = new HashMap<>();
		report.models().forEach((model, usage) -> models.put(model, usage.total()));
		UsageSummary global = report.global();
		checks.ledger(summary, tenants, global.total(), models);
	}

	private static void leaks(SoakSummary summary, RedisServerProcess redis,
			List<ConfigurableApplicationContext> instances, Map<Long, String> threadsBefore, long heapBefore) {
		summary.section("Leaks");
		List<String> busy = new ArrayList<>();
		eventually(Duration.ofSeconds(30), () -> {
			busy.clear();
			busy.addAll(busyNewThreads(threadsBefore));
			return busy.isEmpty() && liveThreads().size() <= threadsBefore.size() + THREAD_ALLOWANCE;
		});
		Map<Long, String> threadsAfter = liveThreads();
		Map<String, Long> added = threadsAfter.entrySet()
			.stream()
			.filter((thread) -> !threadsBefore.containsKey(thread.getKey()))
			.collect(Collectors.groupingBy((thread) -> thread.getValue().replaceAll("[-#]?\\d+$", ""), TreeMap::new,
					Collectors.counting()));
		summary.check("no thread leaked",
				busy.isEmpty() && threadsAfter.size() <= threadsBefore.size() + THREAD_ALLOWANCE,
				threadsBefore.size() + " threads before the load, " + threadsAfter.size() + " after (new: " + added
						+ "); new ones still busy: " + busy);
		long heapAfter = heapAfterGc();
		summary.check("heap back near its start after GC (at most +64 MB)", heapAfter <= heapBefore + HEAP_ALLOWANCE,
				mb(heapBefore) + " MB before the load, " + mb(heapAfter) + " MB after");
		long clients = redisClients(redis);
		summary.check("no Redis connection leaked", clients <= 4L * instances.size() + 1,
				clients + " clients connected to Redis (this check's own included)");
	}

	/**
	 * Threads started during the load that are still doing something: anything but a pool
	 * worker waiting for a task or an event loop waiting for events. The provider's own
	 * threads (MockWebServer's) are not the application's and do not count.
	 */
	private static List<String> busyNewThreads(Map<Long, String> before) {
		List<String> busy = new ArrayList<>();
		Thread.getAllStackTraces().forEach((thread, stack) -> {
			if (before.containsKey(thread.getId()) || !provides(thread) || idle(stack)) {
				return;
			}
			busy.add(thread.getName() + " " + thread.getState() + " at "
					+ ((stack.length > 0) ? stack[0] : "(no stack)"));
		});
		return busy;
	}

	/**
	 * Whether a thread is the application's or the test's: not the provider's
	 * (MockWebServer's), nor the one checking (Awaitility's).
	 */
	private static boolean provides(Thread thread) {
		return !thread.getName().startsWith("MockWebServer") && !thread.getName().startsWith("awaitility")
				&& thread.isAlive();
	}

	private static boolean idle(StackTraceElement[] stack) {
		for (StackTraceElement frame : stack) {
			String at = frame.getClassName() + "." + frame.getMethodName();
			if (at.equals("java.util.concurrent.ThreadPoolExecutor.getTask")
					|| at.equals("java.util.concurrent.ForkJoinPool.awaitWork")
					|| at.startsWith("io.netty.channel.epoll.EpollEventLoop.epollWait")
					|| at.startsWith("io.netty.channel.nio.NioEventLoop.select")
					|| at.startsWith("io.netty.util.concurrent.SingleThreadEventExecutor.takeTask")
					|| at.startsWith("reactor.core.scheduler")) {
				return true;
			}
		}
		return false;
	}

	private static Map<Long, String> liveThreads() {
		Map<Long, String> threads = new HashMap<>();
		Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(SoakTests::provides)
			.forEach((thread) -> threads.put(thread.getId(), thread.getName()));
		return threads;
	}

	/**
	 * Wait until a condition holds, at most a while; the checks after it tell what did
	 * not settle, with figures, rather than a timeout without them.
	 * @return whether it held
	 */
	private static boolean eventually(Duration atMost, Callable<Boolean> condition) {
		try {
			await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(condition);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

	private static String loadAverage() {
		return String.format("%.2f (%d processors)",
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
				Runtime.getRuntime().availableProcessors());
	}

	private static long heapAfterGc() {
		System.gc();
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static long redisClients(RedisServerProcess redis) {
		RedisClient client = RedisClient.create(redis.url());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			String info = connection.sync().info("clients");
			return info.lines()
				.filter((line) -> line.startsWith("connected_clients:"))
				.mapToLong((line) -> Long.parseLong(line.substring("connected_clients:".length()).trim()))
				.findFirst()
				.orElse(-1);
		}
		finally {
			client.shutdown();
		}
	}

	private static long mb(long bytes) {
		return bytes / (1024 * 1024);
	}

}
