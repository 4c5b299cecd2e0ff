package io.github.airesource.core.usage.redis;

import java.math.BigDecimal;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.ledger.UsageReport;
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

	private static LettuceConnectionFactory factoryFor(TcpProxy proxy) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", proxy.port()));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	private RedisUsageLedger ledger(LettuceConnectionFactory factory) {
		return new RedisUsageLedger(new ResourceRedis(factory, this.prefix, Duration.ofMillis(500)),
				new InMemoryUsageLedger(100, this.clock), this.clock, Duration.ofDays(30), 100);
	}

	private static UsageRecord call(String model, int prompt, int completion, String cost) {
		return new UsageRecord(model, prompt, 0, completion, 0, new BigDecimal(cost), false, Duration.ofMillis(5),
				CallOutcome.SUCCESS);
	}

}
