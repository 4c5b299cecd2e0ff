package io.github.airesource.benchmarks;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.airesource.core.budget.BudgetAdmission;
import io.github.airesource.core.budget.BudgetAmount;
import io.github.airesource.core.budget.BudgetCharge;
import io.github.airesource.core.budget.BudgetLimit;
import io.github.airesource.core.budget.redis.RedisBudgetStore;
import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.ScopeType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Throughput of budget admission on Redis: one operation reserves a call against a
 * per-user token limit and a global cost limit (one round trip, one script) and settles
 * it (another). Four threads share the application's one Lettuce connection, as calls of
 * a service do. {@code benchmarks/redis-budget-throughput.sh} runs it next to
 * {@code redis-benchmark PING} with four clients, the ceiling of round trips on the same
 * machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Threads(4)
public class RedisBudgetStoreBenchmark {

	private static final Duration LEASE = Duration.ofMinutes(5);

	private final AtomicInteger users = new AtomicInteger();

	private LettuceConnectionFactory factory;

	private String prefix;

	private ResourceRedis resourceRedis;

	private RedisBudgetStore store;

	private BudgetLimit perUser;

	private BudgetLimit global;

	@Setup(Level.Trial)
	public void connect() {
		this.factory = BenchmarkRedis.connectionFactory();
		this.prefix = "airesource-bench:" + UUID.randomUUID() + ":";
		this.resourceRedis = new ResourceRedis(this.factory, this.prefix, Duration.ofSeconds(2));
		this.store = new RedisBudgetStore(this.resourceRedis, Clock.systemUTC());
		// Allowances no run can use up: refusals are not what is measured.
		this.perUser = BudgetLimit.of("per-user-daily", ScopeType.USER, Duration.ofDays(1),
				new BudgetAmount(Long.MAX_VALUE / 4, null));
		this.global = BudgetLimit.of("global-daily", ScopeType.GLOBAL, Duration.ofDays(1),
				new BudgetAmount(null, new BigDecimal("1000000")));
	}

	/**
	 * Each thread reserves for users of its own.
	 */
	@State(Scope.Thread)
	public static class Caller {

		String user;

		long calls;

		@Setup
		public void setUp(RedisBudgetStoreBenchmark benchmark) {
			this.user = "user-" + benchmark.users.incrementAndGet();
		}

	}

	@Benchmark
	public BudgetAdmission reserveAndSettle(Caller caller) {
		String id = caller.user + ":" + (caller.calls++);
		List<BudgetCharge> charges = List.of(
				new BudgetCharge(this.perUser, caller.user, this.perUser.amount(), 1500, 0),
				new BudgetCharge(this.global, "global", this.global.amount(), 1500, 900_000));
		BudgetAdmission admission = this.store.reserve(id, charges, LEASE, false);
		this.store.settle(id, charges, 1200, 700_000, LEASE);
		return admission;
	}

	@TearDown(Level.Trial)
	public void cleanUp() {
		this.resourceRedis.close();
		this.factory.destroy();
		BenchmarkRedis.deleteKeys(this.prefix);
	}

}
