package io.github.airesource.core.usage.redis;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.PromptParts;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageReport;
import io.github.airesource.core.usage.ledger.UsageSummary;
import io.github.airesource.core.usage.ledger.UsageTotals;
import io.github.airesource.core.usage.ledger.UsageWindow;
import io.github.airesource.testsupport.MutableClock;
import io.github.airesource.testsupport.RedisTestSupport;
import io.github.airesource.testsupport.TcpProxy;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

class RedisUsageLedgerTests {

	private final MutableClock clock = MutableClock.atNewYear2026();

	private String prefix;

	private LettuceConnectionFactory factory;

	private RedisUsageLedger instanceA;

	private RedisUsageLedger instanceB;

	@BeforeEach
	void connect() {
		this.prefix = RedisTestSupport.uniquePrefix();
		this.factory = RedisTestSupport.connectionFactory();
		this.instanceA = ledger(this.factory);
		this.instanceB = ledger(this.factory);
	}

	@AfterEach
	void cleanUp() {
		this.instanceA.close();
		this.instanceB.close();
		this.factory.destroy();
		RedisTestSupport.deleteKeys(this.prefix);
	}

	@Test
	void whenTwoInstancesRecordThenEachReportsTheFleetTotals() {
		this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
		this.instanceB.onUsage(call("gpt-4o", 200, 20, "0.0007"), CallScope.of("acme", "bob", null));
		this.instanceB.onUsage(call("gpt-4o-mini", 50, 5, "0.00001"), CallScope.of("globex", "alice", null));

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.instanceA.report(10).global().total().calls()).isEqualTo(3));
		UsageReport fromA = this.instanceA.report(10);
		UsageReport fromB = this.instanceB.report(10);

		assertThat(fromA.store().fleetWide()).isTrue();
		assertThat(fromA.store().degraded()).isFalse();
		assertThat(fromA.global()).isEqualTo(fromB.global());
		assertThat(fromA.global().total().promptTokens()).isEqualTo(350);
		assertThat(fromA.global().total().cost()).isEqualByComparingTo("0.00106");
		assertThat(fromA.global().lastMinute().calls()).isEqualTo(3);
		assertThat(fromA.models()).containsOnlyKeys("gpt-4o", "gpt-4o-mini");
		assertThat(fromA.models().get("gpt-4o").total().completionTokens()).isEqualTo(30);
		assertThat(fromA.scopes().get("user").top()).extracting(UsageReport.ScopeUsage::id)
			.containsExactly("bob", "alice");
		assertThat(fromA.scopes().get("tenant").tracked()).isEqualTo(2);
		assertThat(this.instanceB.scope(ScopeType.USER, "alice").orElseThrow().total().calls()).isEqualTo(2);
		// Each instance's own figures stay local.
		assertThat(this.instanceA.failedWrites()).isZero();
	}

	@Test
	void whenACacheAnswersThenTheFleetTotalsCountSavedTokensAndCost() {
		this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
		this.instanceB.onUsage(new UsageRecord("gpt-4o", 100, 0, 10, 0, new BigDecimal("0.00035"), false, Duration.ZERO,
				CallOutcome.CACHE_HIT), CallScope.of("acme", "bob", null));

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.instanceA.report(10).global().total().calls()).isEqualTo(2));
		UsageTotals total = this.instanceA.report(10).global().total();
		assertThat(total.cacheHits()).isEqualTo(1);
		assertThat(total.promptTokens()).isEqualTo(100);
		assertThat(total.cost()).isEqualByComparingTo("0.00035");
		assertThat(total.savedTokens()).isEqualTo(110);
		assertThat(total.savedCost()).isEqualByComparingTo("0.00035");
		assertThat(total.failedCalls()).isZero();
	}

	@Test
	void whenCallsCarryPromptPartsThenTheFleetTotalsKeepThemPerModelAndWindow() {
		this.instanceA.onUsage(withParts(call("gpt-4o", 1000, 10, "0.0026"), new PromptParts(600, 250, 50, 80, 20)),
				CallScope.of("acme", "alice", null));
		this.instanceB.onUsage(withParts(call("gpt-4o", 500, 10, "0.0013"), new PromptParts(300, 100, 40, 60, 0)),
				CallScope.of("acme", "bob", null));
		this.instanceB.onUsage(withParts(call("gpt-4o-mini", 100, 5, "0.00002"), new PromptParts(0, 0, 100, 0, 0)),
				CallScope.of("acme", "bob", null));

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.instanceA.report(10).global().total().calls()).isEqualTo(3));
		UsageReport fromA = this.instanceA.report(10);
		assertThat(fromA.store().fleetWide()).isTrue();
		assertThat(fromA.models().get("gpt-4o").total().promptParts())
			.isEqualTo(new PromptParts(900, 350, 90, 140, 20));
		assertThat(fromA.models().get("gpt-4o").lastHour().promptParts())
			.isEqualTo(new PromptParts(900, 350, 90, 140, 20));
		assertThat(fromA.models().get("gpt-4o-mini").total().promptParts()).isEqualTo(new PromptParts(0, 0, 100, 0, 0));
		assertThat(fromA.global().total().promptParts().total()).isEqualTo(fromA.global().total().promptTokens());
		assertThat(this.instanceB.scope(ScopeType.USER, "bob").orElseThrow().total().promptParts())
			.isEqualTo(new PromptParts(300, 100, 140, 60, 0));
	}

	@Test
	void whenRecordedThenEveryKeyHasATtl() {
		this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.instanceB.report(1).global().total().calls()).isEqualTo(1));

		assertThat(RedisTestSupport.keysWithTtl(this.prefix)).isNotEmpty()
			.allSatisfy((key) -> assertThat(key.ttlMillis()).as(key.key()).isPositive());
	}

	@Test
	void whenWindowsPassThenFleetWindowsRollAndTotalsStay() {
		this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.NONE);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.instanceB.report(1).global().lastMinute().calls()).isEqualTo(1));

		this.clock.advance(Duration.ofMinutes(2));

		UsageReport later = this.instanceB.report(1);
		assertThat(later.global().lastMinute().calls()).isZero();
		assertThat(later.global().lastHour().calls()).isEqualTo(1);
		assertThat(later.global().total().calls()).isEqualTo(1);
	}

	@Test
	void whenRedisIsDownThenRecordingNeverFailsAndFiguresStayLocal() {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			proxy.cut();
			LettuceConnectionFactory factory = factoryFor(proxy);
			RedisUsageLedger ledger = ledger(factory);
			try {
				assertThatCode(
						() -> ledger.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null)))
					.doesNotThrowAnyException();

				await().atMost(Duration.ofSeconds(15)).until(() -> ledger.failedOperations() > 0);
				UsageReport report = ledger.report(5);
				assertThat(report.store().degraded()).isTrue();
				assertThat(report.store().fleetWide()).isFalse();
				assertThat(report.store().pendingWrites()).isEqualTo(1);
				assertThat(report.store().lastError()).isNotBlank();
				assertThat(report.global().total().calls()).isEqualTo(1);
				assertThat(report.global().total().promptTokens()).isEqualTo(100);
			}
			finally {
				ledger.close();
				factory.destroy();
			}
		}
	}

	@Test
	void whenRedisComesBackThenWaitingCallsReachTheFleetTotals() {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			proxy.cut();
			LettuceConnectionFactory factory = factoryFor(proxy);
			RedisUsageLedger ledger = ledger(factory);
			try {
				ledger.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
				ledger.onUsage(call("gpt-4o", 50, 5, "0.0001"), CallScope.of("acme", "bob", null));
				await().atMost(Duration.ofSeconds(15)).until(() -> ledger.failedOperations() > 0);

				proxy.restore();

				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(this.instanceB.report(5).global().total().calls()).isEqualTo(2));
				assertThat(this.instanceB.report(5).global().total().promptTokens()).isEqualTo(150);
				assertThat(ledger.failedWrites()).isZero();
				await().atMost(Duration.ofSeconds(10)).until(() -> ledger.pendingWrites() == 0);
			}
			finally {
				ledger.close();
				factory.destroy();
			}
		}
	}

	@Test
	void whenRedisIsDownLongerThanTheQueueHoldsThenEveryCallIsWrittenOnceItIsBack() {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			proxy.cut();
			LettuceConnectionFactory factory = factoryFor(proxy);
			RedisUsageLedger ledger = ledger(factory);
			try {
				ledger.onUsage(call("gpt-4o", 10, 1, "0.0001"), CallScope.of("acme", "user-0", null));
				await().atMost(Duration.ofSeconds(15)).until(() -> ledger.failedOperations() > 0);
				// Twice the queue's capacity while Redis is away, in bursts the writer
				// merges into the batch behind the one it retries.
				int calls = 1;
				for (int burst = 0; burst < 10; burst++) {
					for (int i = 0; i < RedisUsageWriter.QUEUE_CAPACITY / 5; i++) {
						ledger.onUsage(call("gpt-4o", 10, 1, "0.0001"), CallScope.of("acme", "user-" + (i % 5), null));
						calls++;
					}
					await().atMost(Duration.ofSeconds(15)).until(() -> ledger.queuedWrites() == 0);
				}
				assertThat(ledger.failedWrites()).isZero();
				assertThat(ledger.pendingWrites()).isEqualTo(calls);

				proxy.restore();

				long expected = calls;
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(
							() -> assertThat(this.instanceB.report(5).global().total().calls()).isEqualTo(expected));
				assertThat(this.instanceB.report(5).global().total().promptTokens()).isEqualTo(10 * expected);
				await().atMost(Duration.ofSeconds(10)).until(() -> ledger.pendingWrites() == 0);
				assertThat(ledger.writtenCalls()).isEqualTo(expected);
				assertThat(ledger.failedWrites()).isZero();
				assertThat(ledger.unknownWrites()).isZero();
			}
			finally {
				ledger.close();
				factory.destroy();
			}
		}
	}

	@Test
	void whenAUserIsNamedLikeAnotherUsersBucketThenEachKeepsItsOwnCounters() {
		long minuteBucket = UsageWindow.MINUTE.bucketOf(this.clock.millis());
		String impostor = "alice:m:" + minuteBucket;
		this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
		for (int i = 0; i < 5; i++) {
			this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("{acme}", impostor, null));
		}
		awaitWritten(this.instanceA, 6);

		UsageSummary alice = this.instanceB.scope(ScopeType.USER, "alice").orElseThrow();
		assertThat(alice.total().calls()).isEqualTo(1);
		assertThat(alice.lastMinute().calls()).isEqualTo(1);
		assertThat(this.instanceB.scope(ScopeType.USER, impostor).orElseThrow().total().calls()).isEqualTo(5);
		assertThat(this.instanceB.scope(ScopeType.TENANT, "acme").orElseThrow().total().calls()).isEqualTo(1);
		assertThat(this.instanceB.scope(ScopeType.TENANT, "{acme}").orElseThrow().total().calls()).isEqualTo(5);
		// The bucket key of alice keeps the minute window's TTL, not the totals' 30 days.
		assertThat(RedisTestSupport.keysWithTtl(this.prefix))
			.filteredOn((key) -> key.key().endsWith("usage:{user:alice}:m:" + minuteBucket))
			.singleElement()
			.satisfies((key) -> assertThat(key.ttlMillis()).isPositive()
				.isLessThanOrEqualTo(UsageWindow.MINUTE.retention().toMillis()));
	}

	@Test
	void whenModelNamesContainSeparatorsThenModelsStayApart() {
		this.instanceA.onUsage(call("llama3:8b", 100, 10, null), CallScope.NONE);
		this.instanceA.onUsage(call("llama3", 50, 5, null), CallScope.NONE);
		this.instanceA.onUsage(call("llama3:8b:total", 7, 1, null), CallScope.NONE);
		awaitWritten(this.instanceA, 3);

		UsageReport report = this.instanceB.report(10);

		assertThat(report.models()).containsOnlyKeys("llama3:8b", "llama3", "llama3:8b:total");
		assertThat(report.models().get("llama3:8b").total().promptTokens()).isEqualTo(100);
		assertThat(report.models().get("llama3").total().promptTokens()).isEqualTo(50);
		assertThat(report.unpricedModels()).containsExactlyInAnyOrder("llama3:8b", "llama3", "llama3:8b:total");
	}

	@Test
	void whenThousandsOfDistinctUsersCallThenEveryCallIsWrittenOnceAndEveryKeyHasATtl() {
		RedisUsageLedger ledger = ledger(this.factory, 10_000);
		try {
			int users = 5_000;
			for (int i = 0; i < users; i++) {
				ledger.onUsage(call("gpt-4o", 10, 1, "0.000035"),
						CallScope.of("tenant-" + (i % 50), "user-" + i, null));
				assertAccounted(ledger, i + 1);
			}
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(ledger.writtenCalls()).isEqualTo(users));

			assertThat(ledger.failedWrites()).isZero();
			assertThat(ledger.unknownWrites()).isZero();
			assertThat(ledger.pendingWrites()).isZero();
			UsageReport report = this.instanceB.report(3);
			assertThat(report.global().total().calls()).isEqualTo(users);
			assertThat(report.global().total().promptTokens()).isEqualTo(10L * users);
			assertThat(report.scopes().get("user").tracked()).isEqualTo(users);
			assertThat(report.scopes().get("tenant").tracked()).isEqualTo(50);
			assertThat(this.instanceB.scope(ScopeType.USER, "user-4999").orElseThrow().total().calls()).isEqualTo(1);
			assertThat(RedisTestSupport.keysWithTtl(this.prefix)).hasSizeGreaterThan(users)
				.allSatisfy((key) -> assertThat(key.ttlMillis()).as(key.key()).isPositive());
		}
		finally {
			ledger.close();
		}
	}

	@Test
	void whenRedisAppliesABatchButItsAnswerIsLateThenTheRepeatedBatchIsNotCountedTwice() {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			LettuceConnectionFactory factory = factoryFor(proxy);
			RedisUsageLedger ledger = ledger(factory, 100);
			try {
				// Connect first, so that the held answer is the script's, not the
				// handshake's.
				ledger.onUsage(call("gpt-4o", 1, 1, "0.00001"), CallScope.of("acme", "warm-up", null));
				awaitWritten(ledger, 1);
				proxy.holdReplies();

				ledger.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
				await().atMost(Duration.ofSeconds(15)).until(() -> ledger.failedOperations() >= 2);
				assertThat(ledger.pendingWrites()).isEqualTo(1);
				proxy.releaseReplies();

				awaitWritten(ledger, 2);
				assertThat(ledger.unknownWrites()).isZero();
				assertThat(ledger.failedWrites()).isZero();
				UsageSummary alice = this.instanceB.scope(ScopeType.USER, "alice").orElseThrow();
				assertThat(alice.total().calls()).isEqualTo(1);
				assertThat(alice.total().promptTokens()).isEqualTo(100);
				assertThat(this.instanceB.report(1).global().total().calls()).isEqualTo(2);
			}
			finally {
				ledger.close();
				factory.destroy();
			}
		}
	}

	@Test
	void whenRedisForgetsItsScriptsThenWritesAndReadsLoadThemAgain() {
		this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
		awaitWritten(this.instanceA, 1);
		assertThat(this.instanceB.report(1).global().total().calls()).isEqualTo(1);

		RedisTestSupport.flushScripts();
		this.instanceA.onUsage(call("gpt-4o", 100, 10, "0.00035"), CallScope.of("acme", "alice", null));
		awaitWritten(this.instanceA, 2);
		RedisTestSupport.flushScripts();

		assertThat(this.instanceB.report(1).global().total().calls()).isEqualTo(2);
		assertThat(this.instanceA.unknownWrites()).isZero();
	}

	@Test
	void whenStoppedThenQueuedCallsAreWrittenBeforeItReturns() {
		RedisUsageLedger ledger = ledger(this.factory, 1_000);
		for (int i = 0; i < 200; i++) {
			ledger.onUsage(call("gpt-4o", 10, 1, "0.000035"), CallScope.of("acme", "user-" + i, null));
		}

		boolean complete = ledger.stop(Duration.ofSeconds(10));

		assertThat(complete).isTrue();
		assertThat(ledger.writtenCalls()).isEqualTo(200);
		assertThat(ledger.failedWrites()).isZero();
		assertThat(this.instanceB.report(1).global().total().calls()).isEqualTo(200);
		ledger.onUsage(call("gpt-4o", 10, 1, "0.000035"), CallScope.NONE);
		assertThat(ledger.failedWrites()).as("calls after stop are not written").isEqualTo(1);
		assertThat(ledger.report(1).global().total().calls()).isEqualTo(200);
		ledger.close();
	}

	@Test
	void whenStoppedWhileRedisIsDownThenStopReturnsWithinItsBoundAndCountsWhatWasLost() {
		try (TcpProxy proxy = TcpProxy.to(RedisTestSupport.host(), RedisTestSupport.port())) {
			proxy.cut();
			LettuceConnectionFactory factory = factoryFor(proxy);
			RedisUsageLedger ledger = ledger(factory, 100);
			try {
				for (int i = 0; i < 20; i++) {
					ledger.onUsage(call("gpt-4o", 10, 1, "0.000035"), CallScope.NONE);
				}
				long start = System.nanoTime();

				boolean complete = ledger.stop(Duration.ofSeconds(2));

				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
				assertThat(complete).isTrue();
				assertThat(ledger.pendingWrites()).isZero();
				assertThat(ledger.failedWrites() + ledger.unknownWrites()).isEqualTo(20);
				assertThat(ledger.writtenCalls()).isZero();
			}
			finally {
				ledger.close();
				factory.destroy();
			}
		}
	}

	@Test
	void whenCostsTieThenRedisAndMemoryListTheSameTopScopes() {
		InMemoryUsageLedger memory = new InMemoryUsageLedger(100, this.clock);
		String[][] calls = { { "zoe", "1.0" }, { "bob", "1.0" }, { "Émile", "1.0" }, { "amy", "2.0" },
				{ "carl", "0.5" }, { "dan", "0" }, { "abe", "0" }, { "bob", "0" } };
		for (String[] each : calls) {
			UsageRecord record = call("gpt-4o", 10, 1, each[1]);
			CallScope scope = CallScope.of("acme", each[0], null);
			memory.onUsage(record, scope);
			this.instanceA.onUsage(record, scope);
		}
		awaitWritten(this.instanceA, calls.length);

		for (int top : new int[] { 1, 3, 5, 10 }) {
			assertThat(ids(this.instanceB.report(top))).as("top %d", top).isEqualTo(ids(memory.report(top)));
		}
		assertThat(ids(memory.report(10))).containsExactly("amy", "bob", "zoe", "Émile", "carl", "abe", "dan");
	}

	private static List<String> ids(UsageReport report) {
		return report.scopes().get("user").top().stream().map(UsageReport.ScopeUsage::id).toList();
	}

	/**
	 * No accepted call is out of sight: it is pending until it is counted as written,
	 * failed or unknown. Pending is read first, since the writer counts an outcome before
	 * it lowers pending; the sum may then exceed the calls for a moment, but never fall
	 * short.
	 */
	private static void assertAccounted(RedisUsageLedger ledger, long offered) {
		long pending = ledger.pendingWrites();
		long resolved = ledger.writtenCalls() + ledger.failedWrites() + ledger.unknownWrites();
		assertThat(pending + resolved).isGreaterThanOrEqualTo(offered);
		assertThat(pending).isLessThanOrEqualTo(offered);
	}

	private static void awaitWritten(RedisUsageLedger ledger, long calls) {
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(ledger.writtenCalls()).isEqualTo(calls));
	}

	private static LettuceConnectionFactory factoryFor(TcpProxy proxy) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", proxy.port()));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	private RedisUsageLedger ledger(LettuceConnectionFactory factory) {
		return ledger(factory, 100);
	}

	private RedisUsageLedger ledger(LettuceConnectionFactory factory, int maxTrackedScopes) {
		return new RedisUsageLedger(new ResourceRedis(factory, this.prefix, Duration.ofMillis(500)),
				new InMemoryUsageLedger(maxTrackedScopes, this.clock), this.clock, Duration.ofDays(30),
				maxTrackedScopes);
	}

	private static UsageRecord withParts(UsageRecord record, PromptParts parts) {
		return new UsageRecord(record.model(), record.promptTokens(), record.cachedPromptTokens(),
				record.completionTokens(), record.reasoningTokens(), record.cost(), record.estimated(),
				record.latency(), record.outcome(), record.purpose(), parts);
	}

	private static UsageRecord call(String model, int prompt, int completion, String cost) {
		return new UsageRecord(model, prompt, 0, completion, 0, (cost != null) ? new BigDecimal(cost) : null, false,
				Duration.ofMillis(5), CallOutcome.SUCCESS);
	}

}
