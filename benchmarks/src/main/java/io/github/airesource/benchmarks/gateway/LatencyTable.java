package io.github.airesource.benchmarks.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The gateway comparison's results: per concurrency and path, the latency histogram (in
 * microseconds), the errors, the calls per second and the CPU time per call; and the
 * tables of p50 and p99 with what each path adds to the direct one. Added latency is a
 * difference of percentiles (the path's p99 minus the direct p99), as published gateway
 * benchmarks give it, not a percentile of per-request differences, which one run cannot
 * pair.
 */
final class LatencyTable {

	/** The longest latency recorded, in microseconds: a minute. */
	static final long HIGHEST_MICROS = 60_000_000L;

	private final List<String> paths;

	private final List<Comparison> comparisons;

	private final Map<Integer, Map<String, PathResult>> results = new LinkedHashMap<>();

	/**
	 * Create an empty table.
	 * @param paths every path, in the order of the rows
	 * @param comparisons the added latencies to show, in the order of the columns
	 */
	LatencyTable(List<String> paths, List<Comparison> comparisons) {
		this.paths = List.copyOf(paths);
		this.comparisons = List.copyOf(comparisons);
	}

	/**
	 * Return a histogram for latencies in microseconds, with three significant digits.
	 * @return the histogram
	 */
	static Histogram newHistogram() {
		return new Histogram(HIGHEST_MICROS, 3);
	}

	/**
	 * Add what one round sent to one path at one concurrency.
	 * @param concurrency the concurrency
	 * @param path the path
	 * @param round what the round measured
	 */
	synchronized void add(int concurrency, String path, Round round) {
		this.results.computeIfAbsent(concurrency, (key) -> new LinkedHashMap<>())
			.computeIfAbsent(path, (key) -> new PathResult(newHistogram()))
			.add(round);
	}

	/**
	 * Return one path's median at one concurrency.
	 * @param concurrency the concurrency
	 * @param path the path
	 * @return the p50 in microseconds
	 */
	synchronized long p50(int concurrency, String path) {
		return result(concurrency, path).latencies.getValueAtPercentile(50);
	}

	/**
	 * Return one path's 99th percentile at one concurrency.
	 * @param concurrency the concurrency
	 * @param path the path
	 * @return the p99 in microseconds
	 */
	synchronized long p99(int concurrency, String path) {
		return result(concurrency, path).latencies.getValueAtPercentile(99);
	}

	/**
	 * Return what a path adds to another's median.
	 * @param concurrency the concurrency
	 * @param comparison the path and the one it is compared with
	 * @return the path's p50 minus the other's, in microseconds
	 */
	long addedP50(int concurrency, Comparison comparison) {
		return p50(concurrency, comparison.path()) - p50(concurrency, comparison.reference());
	}

	/**
	 * Return what a path adds to another's 99th percentile.
	 * @param concurrency the concurrency
	 * @param comparison the path and the one it is compared with
	 * @return the path's p99 minus the other's, in microseconds
	 */
	long addedP99(int concurrency, Comparison comparison) {
		return p99(concurrency, comparison.path()) - p99(concurrency, comparison.reference());
	}

	/**
	 * Return the failed calls of all paths and concurrencies.
	 * @return the count
	 */
	synchronized long errors() {
		return this.results.values()
			.stream()
			.flatMap((row) -> row.values().stream())
			.mapToLong((result) -> result.errors)
			.sum();
	}

	/**
	 * Return the results as Markdown tables, latencies in milliseconds: the added
	 * latencies, then each path's own figures.
	 * @return the tables
	 */
	synchronized String toMarkdown() {
		StringBuilder out = new StringBuilder();
		List<String> header = new ArrayList<>(List.of("concurrency"));
		for (Comparison comparison : this.comparisons) {
			header.add("**" + comparison + " p50**");
			header.add("**" + comparison + " p99**");
		}
		header(out, header);
		for (Integer concurrency : this.results.keySet()) {
			List<String> cells = new ArrayList<>(List.of(String.valueOf(concurrency)));
			for (Comparison comparison : this.comparisons) {
				cells.add(millis(addedP50(concurrency, comparison)));
				cells.add(millis(addedP99(concurrency, comparison)));
			}
			row(out, cells);
		}
		out.append('\n');
		header(out, List.of("concurrency", "path", "p50", "p99", "calls/s", "CPU per call", "calls", "errors"));
		for (Integer concurrency : this.results.keySet()) {
			for (String path : this.paths) {
				PathResult result = result(concurrency, path);
				row(out, List.of(String.valueOf(concurrency), path, millis(p50(concurrency, path)),
						millis(p99(concurrency, path)), String.format(Locale.ROOT, "%,.0f", result.callsPerSecond()),
						result.cpuPerCall(), String.valueOf(result.latencies.getTotalCount()),
						String.valueOf(result.errors)));
			}
		}
		return out.toString();
	}

	private PathResult result(int concurrency, String path) {
		PathResult result = this.results.getOrDefault(concurrency, Map.of()).get(path);
		if (result == null) {
			throw new IllegalArgumentException("No results for " + path + " at concurrency " + concurrency);
		}
		return result;
	}

	private static void header(StringBuilder out, List<String> cells) {
		row(out, cells);
		out.append("|").append("---:|".repeat(cells.size())).append('\n');
	}

	private static void row(StringBuilder out, List<String> cells) {
		out.append("| ").append(String.join(" | ", cells)).append(" |\n");
	}

	static String millis(long micros) {
		return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
	}

	/**
	 * What one path did at one concurrency, over all its rounds.
	 */
	private static final class PathResult {

		private final Histogram latencies;

		private long errors;

		private long nanos;

		private long cpuNanos;

		private boolean cpuKnown = true;

		PathResult(Histogram latencies) {
			this.latencies = latencies;
		}

		void add(Round round) {
			this.latencies.add(round.latencies());
			this.errors += round.errors();
			this.nanos += round.nanos();
			this.cpuNanos += Math.max(0, round.cpuNanos());
			this.cpuKnown &= round.cpuNanos() >= 0;
		}

		long calls() {
			return this.latencies.getTotalCount() + this.errors;
		}

		double callsPerSecond() {
			return (this.nanos > 0) ? calls() * 1e9 / this.nanos : 0;
		}

		String cpuPerCall() {
			return (this.cpuKnown && calls() > 0)
					? String.format(Locale.ROOT, "%.0f µs", this.cpuNanos / 1000.0 / calls()) : "";
		}

	}

	/**
	 * An added latency to show: a path's percentiles minus another's.
	 *
	 * @param path the path
	 * @param reference the path it is compared with
	 * @param name the column's name
	 */
	record Comparison(String path, String reference, String name) {

		/**
		 * Compare a path with another, named "path added" when the other is
		 * {@code direct}, else "path over reference".
		 * @param path the path
		 * @param reference the path it is compared with
		 * @return the comparison
		 */
		static Comparison of(String path, String reference) {
			return new Comparison(path, reference,
					path + (reference.equals("direct") ? " added" : " over " + reference));
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

}
