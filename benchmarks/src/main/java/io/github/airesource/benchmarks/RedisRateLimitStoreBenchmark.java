package io.github.airesource.benchmarks;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.airesource.core.ratelimit.RateLimit;
import io.github.airesource.core.ratelimit.RateLimitCharge;
import io.github.airesource.core.ratelimit.RateLimitDecision;
import io.github.airesource.core.ratelimit.redis.RedisRateLimitStore;
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
 * Throughput of rate-limit admission on Redis: one operation acquires a call against a
 * per-user request and token limit and a global cost limit (one round trip, one script,
 * five buckets) and adjusts it by the tokens and cost it really used (another). Four
 * threads share the application's one Lettuce connection, as calls of a service do.
 * {@code benchmarks/redis-budget-throughput.sh} runs it next to
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
public class RedisRateLimitStoreBenchmark {

	private final AtomicInteger users = new AtomicInteger();

	private LettuceConnectionFactory factory;

	private String prefix;

	private ResourceRedis resourceRedis;

	private RedisRateLimitStore store;

	private RateLimit perUser;

	private RateLimit global;

	@Setup(Level.Trial)
	public void connect() {
		this.factory = BenchmarkRedis.connectionFactory();
		this.prefix = "airesource-bench:" + UUID.randomUUID() + ":";
		this.resourceRedis = new ResourceRedis(this.factory, this.prefix, Duration.ofSeconds(2));
		this.store = new RedisRateLimitStore(this.resourceRedis, Clock.systemUTC());
		// Limits no run can use up: refusals and waits are not what is measured.
		this.perUser = new RateLimit("user-limits", ScopeType.USER, Duration.ofMinutes(1), 1_000_000_000L,
				1_000_000_000_000L, null, Set.of());
		this.global = RateLimit.of("global-cph", ScopeType.GLOBAL, Duration.ofHours(1), null, null,
				new BigDecimal("1000000000"));
	}

	/**
	 * Each thread acquires for users of its own.
	 */
	@State(Scope.Thread)
	public static class Caller {

		String user;

		@Setup
		public void setUp(RedisRateLimitStoreBenchmark benchmark) {
			this.user = "user-" + benchmark.users.incrementAndGet();
		}

	}

	@Benchmark
	public RateLimitDecision acquireAndAdjust(Caller caller) {
		List<RateLimitCharge> charges = List.of(new RateLimitCharge(this.perUser, caller.user, 1500, 900_000),
				new RateLimitCharge(this.global, "global", 1500, 900_000));
		RateLimitDecision decision = this.store.acquire(charges, Duration.ZERO);
		this.store.adjust(charges, 0, -300, -200_000);
		return decision;
	}

	@TearDown(Level.Trial)
	public void cleanUp() {
		this.resourceRedis.close();
		this.factory.destroy();
		BenchmarkRedis.deleteKeys(this.prefix);
	}

}
