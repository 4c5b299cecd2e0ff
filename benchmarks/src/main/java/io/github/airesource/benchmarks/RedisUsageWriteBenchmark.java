package io.github.airesource.benchmarks;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.airesource.core.redis.ResourceRedis;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.ledger.InMemoryUsageLedger;
import io.github.airesource.core.usage.redis.RedisUsageLedger;
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
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Throughput of the Redis usage write path: one operation records 10,000 calls, each by a
 * different user (the worst case: every call brings new keys), and waits until Redis
 * confirmed all of them. Calls per second = 10,000 / the time per operation.
 *
 * <p>
 * Needs a Redis: {@code REDIS_URL} or 127.0.0.1:6379.
 * {@code benchmarks/redis-write-throughput.sh} runs it next to {@code redis-benchmark} on
 * the same server, the baseline for the ratio in BENCHMARKS.md. Keys are written under a
 * fresh prefix per trial and deleted afterwards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 10, batchSize = 1)
public class RedisUsageWriteBenchmark {

	static final int CALLS = 10_000;

	private final UsageRecord record = new UsageRecord("gpt-4o-mini", 1200, 1000, 300, 100, new BigDecimal("0.000420"),
			false, Duration.ofMillis(800), CallOutcome.SUCCESS);

	private CallScope[] scopes;

	private LettuceConnectionFactory factory;

	private String prefix;

	private RedisUsageLedger ledger;

	private long offered;

	@Setup(Level.Trial)
	public void connect() {
		this.factory = BenchmarkRedis.connectionFactory();
		this.prefix = "airesource-bench:" + UUID.randomUUID() + ":";
		this.ledger = new RedisUsageLedger(new ResourceRedis(this.factory, this.prefix, Duration.ofSeconds(2)),
				new InMemoryUsageLedger(1_000_000, Clock.systemUTC()), Clock.systemUTC(), Duration.ofHours(1),
				1_000_000);
		this.scopes = new CallScope[CALLS];
	}

	@Setup(Level.Iteration)
	public void newUsers() {
		// New users every iteration: each call brings keys Redis has not seen.
		String round = UUID.randomUUID().toString().substring(0, 8);
		for (int i = 0; i < CALLS; i++) {
			this.scopes[i] = CallScope.of("tenant-" + (i % 100), "user-" + round + "-" + i, null);
		}
	}

	@Benchmark
	public long recordTenThousandDistinctUsers() {
		for (CallScope scope : this.scopes) {
			this.ledger.onUsage(this.record, scope);
		}
		this.offered += CALLS;
		while (this.ledger.writtenCalls() < this.offered) {
			if (this.ledger.failedWrites() + this.ledger.unknownWrites() > 0) {
				throw new IllegalStateException("Writes failed: " + this.ledger.health().lastError());
			}
			LockSupport.parkNanos(100_000);
		}
		return this.ledger.writtenCalls();
	}

	@TearDown(Level.Trial)
	public void cleanUp() {
		this.ledger.close();
		this.factory.destroy();
		BenchmarkRedis.deleteKeys(this.prefix);
	}

}
