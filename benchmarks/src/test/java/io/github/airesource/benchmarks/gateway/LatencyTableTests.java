package io.github.airesource.benchmarks.gateway;

import java.util.List;

import io.github.airesource.benchmarks.gateway.LatencyTable.Comparison;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyTableTests {

	private static final Comparison STARTER = Comparison.of("starter", "direct");

	private static final Comparison PORTKEY = Comparison.of("Portkey", "direct");

	private final LatencyTable table = new LatencyTable(List.of("direct", "starter", "Portkey"),
			List.of(STARTER, PORTKEY));

	@Test
	void addedLatencyIsEachPathsPercentileMinusTheDirectPathsPercentile() {
		// 1,000 calls each: direct 0.1 to 100 ms, starter 0.5 ms slower, Portkey 2 ms.
		this.table.add(1, "direct", new Round(spread(0), 0, 1_000_000_000, 0));
		this.table.add(1, "starter", new Round(spread(500), 0, 1_000_000_000, 0));
		this.table.add(1, "Portkey", new Round(spread(2_000), 0, 1_000_000_000, 0));

		assertThat(this.table.p50(1, "direct")).isCloseTo(50_000L, within(100L));
		assertThat(this.table.p99(1, "direct")).isCloseTo(99_000L, within(100L));
		assertThat(this.table.addedP50(1, STARTER)).isCloseTo(500L, within(100L));
		assertThat(this.table.addedP99(1, STARTER)).isCloseTo(500L, within(100L));
		assertThat(this.table.addedP50(1, PORTKEY)).isCloseTo(2_000L, within(100L));
		assertThat(this.table.addedP99(1, PORTKEY)).isCloseTo(2_000L, within(100L));
	}

	@Test
	void roundsOfOnePathAddUpBeforeThePercentilesAreTaken() {
		this.table.add(4, "direct", new Round(constant(10_000, 99), 0, 1_000_000_000, 0));
		this.table.add(4, "direct", new Round(constant(50_000, 1), 0, 1_000_000_000, 0));

		assertThat(this.table.p50(4, "direct")).isCloseTo(10_000L, within(10L));
		assertThat(this.table.p99(4, "direct")).isCloseTo(10_000L, within(10L));
		this.table.add(4, "direct", new Round(constant(50_000, 2), 0, 1_000_000_000, 0));
		assertThat(this.table.p99(4, "direct")).isCloseTo(50_000L, within(50L));
	}

	@Test
	void theTablesShowAddedLatencyCallsPerSecondCpuPerCallAndErrors() {
		for (String path : List.of("direct", "starter", "Portkey")) {
			this.table.add(16, path, new Round(constant(path.equals("direct") ? 6_000 : 7_500, 1000),
					path.equals("Portkey") ? 2 : 0, 2_000_000_000L, 400_000_000L));
		}

		String markdown = this.table.toMarkdown();

		assertThat(markdown).contains("| concurrency | **starter added p50** | **starter added p99** "
				+ "| **Portkey added p50** | **Portkey added p99** |");
		assertThat(markdown).contains("| 16 | 1.50 ms | 1.50 ms | 1.50 ms | 1.50 ms |");
		assertThat(markdown).contains("| 16 | starter | 7.50 ms | 7.50 ms | 500 | 400 µs | 1000 | 0 |");
		assertThat(markdown).contains("| 16 | Portkey | 7.50 ms | 7.50 ms | 501 | 399 µs | 1000 | 2 |");
		assertThat(this.table.errors()).isEqualTo(2);
	}

	@Test
	void aPathCanBeComparedWithAnotherThanTheDirectOne() {
		LatencyTable table = new LatencyTable(List.of("direct", "no advisors", "starter"),
				List.of(Comparison.of("no advisors", "direct"), Comparison.of("starter", "no advisors")));
		table.add(1, "direct", new Round(constant(6_000, 10), 0, 1_000_000, 0));
		table.add(1, "no advisors", new Round(constant(7_000, 10), 0, 1_000_000, 0));
		table.add(1, "starter", new Round(constant(7_200, 10), 0, 1_000_000, 0));

		assertThat(table.addedP50(1, Comparison.of("starter", "no advisors"))).isEqualTo(200);
		assertThat(table.toMarkdown())
			.contains("| concurrency | **no advisors added p50** | **no advisors added p99** "
					+ "| **starter over no advisors p50** | **starter over no advisors p99** |")
			.contains("| 1 | 1.00 ms | 1.00 ms | 0.20 ms | 0.20 ms |");
	}

	@Test
	void cpuPerCallIsLeftBlankWhenTheProcessIsNotKnown() {
		this.table.add(1, "direct", new Round(constant(6_000, 10), 0, 1_000_000, -1));
		this.table.add(1, "starter", new Round(constant(6_000, 10), 0, 1_000_000, -1));
		this.table.add(1, "Portkey", new Round(constant(6_000, 10), 0, 1_000_000, -1));

		assertThat(this.table.toMarkdown()).contains("| 1 | direct | 6.00 ms | 6.00 ms | 10,000 |  | 10 | 0 |");
	}

	/** Latencies of 0.1 to 100 ms in steps of 0.1 ms, plus {@code shiftMicros}. */
	private static Histogram spread(long shiftMicros) {
		Histogram histogram = LatencyTable.newHistogram();
		for (int i = 1; i <= 1000; i++) {
			histogram.recordValue(i * 100L + shiftMicros);
		}
		return histogram;
	}

	private static Histogram constant(long micros, int count) {
		Histogram histogram = LatencyTable.newHistogram();
		histogram.recordValueWithCount(micros, count);
		return histogram;
	}

}
