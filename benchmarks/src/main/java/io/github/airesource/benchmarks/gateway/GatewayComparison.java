package io.github.airesource.benchmarks.gateway;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.github.airesource.benchmarks.gateway.LatencyTable.Comparison;
import io.github.airesource.benchmarks.gateway.front.ChatCompletionsController;
import org.HdrHistogram.Histogram;

/**
 * The load driver of the gateway comparison: sends the same chat completions to the model
 * server directly (a), through the starter's front (b) and through the Portkey gateway
 * (c), at each concurrency, and prints p50 and p99 and what (b) and (c) add to (a).
 *
 * <p>
 * Each concurrency is measured in rounds: every round sends the next block of requests to
 * each path in turn, with the paths' order rotating from round to round, so that a drift
 * of the shared machine (another process, a GC, frequency scaling) falls on all three
 * alike. Request {@code n} is the same for every path and is sent to each once. A closed
 * loop: each of {@code concurrency} threads sends its next request when the last one is
 * answered. Latency is from sending the request to having read the whole answer, through
 * the JDK's {@link HttpClient} over HTTP/1.1 keep-alive connections.
 *
 * <p>
 * Run by {@code benchmarks/gateway-comparison.sh}; options
 * {@code --server=, --front=, --portkey=, --no-advisors=} (base URLs),
 * {@code --concurrency=1,4,16,64}, {@code --paths=direct,no advisors,starter,Portkey}
 * (the direct path is always measured: the others are compared with it),
 * {@code --requests=} (measured per path and concurrency), {@code --warmup=} (per path,
 * before measuring), {@code --rounds=},
 * {@code --server-pid=, --front-pid=, --portkey-pid=, --no-advisors-pid=} (the processes
 * whose CPU time per call is reported), {@code --out=} (the Markdown table) and
 * {@code --latency-ms=} (the server's latency, for the table's heading).
 */
public final class GatewayComparison {

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final List<Target> targets;

	private final Map<String, String> firstErrors = new ConcurrentHashMap<>();

	private int nextRequest;

	GatewayComparison(List<Target> targets, int firstRequest) {
		this.targets = List.copyOf(targets);
		this.nextRequest = firstRequest;
	}

	/**
	 * Run the comparison.
	 * @param args the options (see the class description)
	 * @throws Exception when a path cannot be reached at all
	 */
	public static void main(String[] args) throws Exception {
		CommandLine options = CommandLine.parse(args);
		String server = options.value("server", "http://127.0.0.1:18080");
		List<String> paths = List.of(options.value("paths", "direct,no advisors,starter,Portkey").split(","));
		List<Target> targets = Stream
			.of(Target.direct(server).servedBy(options.intValue("server-pid", 0)),
					Target.noAdvisors(options.value("no-advisors", "http://127.0.0.1:18082"))
						.servedBy(options.intValue("no-advisors-pid", 0)),
					Target.starter(options.value("front", "http://127.0.0.1:18081"))
						.servedBy(options.intValue("front-pid", 0)),
					Target.portkey(options.value("portkey", "http://127.0.0.1:18787"), server)
						.servedBy(options.intValue("portkey-pid", 0)))
			.filter((target) -> target.name().equals("direct") || paths.contains(target.name()))
			.toList();
		List<String> names = targets.stream().map(Target::name).toList();
		List<Comparison> comparisons = new ArrayList<>();
		for (String path : List.of("starter", "Portkey", "no advisors")) {
			if (names.contains(path)) {
				comparisons.add(Comparison.of(path, "direct"));
			}
		}
		if (names.contains("starter") && names.contains("no advisors")) {
			comparisons.add(Comparison.of("starter", "no advisors"));
		}
		List<Integer> concurrencies = options.intValues("concurrency", "1,4,16,64");
		int requests = options.intValue("requests", 3000);
		int warmup = options.intValue("warmup", 5000);
		int rounds = options.intValue("rounds", 6);
		// Numbered from the clock, so that a second run against the same front does not
		// send it requests it has cached.
		int firstRequest = options.intValue("first-request", (int) (Instant.now().getEpochSecond() % 1_000_000) * 1000);
		GatewayComparison comparison = new GatewayComparison(targets, firstRequest);
		LatencyTable table = new LatencyTable(names, comparisons);
		Instant started = Instant.now();
		System.out.printf("Warm-up: %d requests per path at concurrency 16%n", warmup);
		comparison.run(16, warmup, rounds, null);
		for (int concurrency : concurrencies) {
			System.out.printf("Concurrency %d: %d requests per path in %d rounds%n", concurrency, requests, rounds);
			// Opens the connections this concurrency needs, off the record.
			comparison.run(concurrency, Math.max(100, 4 * concurrency), targets.size(), null);
			comparison.run(concurrency, requests, rounds, table);
		}
		String report = String.format(
				"Gateway comparison of %s: model server latency %s ms, %d requests per path and concurrency "
						+ "in %d rounds after %d warm-up requests per path; %s.%n%n%s",
				started, options.value("latency-ms", "?"), requests, rounds, warmup,
				Duration.between(started, Instant.now()).withNanos(0).toString().substring(2).toLowerCase(),
				table.toMarkdown());
		System.out.println();
		System.out.print(report);
		comparison.firstErrors.forEach((key, error) -> System.err.println("First error of " + key + ": " + error));
		Path out = Path.of(options.value("out", "benchmarks/target/gateway-comparison/results.md"));
		Files.createDirectories(out.toAbsolutePath().getParent());
		Files.writeString(out, report);
		System.out.println("Written to " + out);
		if (table.errors() > 0) {
			System.err.println(table.errors() + " calls failed: the figures do not compare like with like");
			System.exit(1);
		}
	}

	/**
	 * Send the next {@code requests} requests to every path, in rounds.
	 * @param concurrency the calls in flight at once
	 * @param requests the requests per path
	 * @param rounds how many blocks to split them in
	 * @param table where to record, or {@code null} to warm up
	 */
	void run(int concurrency, int requests, int rounds, LatencyTable table) throws InterruptedException {
		ExecutorService callers = Executors.newFixedThreadPool(concurrency);
		try {
			for (int round = 0; round < rounds; round++) {
				int first = this.nextRequest;
				int count = requests / rounds + ((round < requests % rounds) ? 1 : 0);
				this.nextRequest += count;
				for (int i = 0; i < this.targets.size(); i++) {
					Target target = this.targets.get((round + i) % this.targets.size());
					Round result = round(callers, target, first, count, concurrency);
					if (table != null) {
						table.add(concurrency, target.name(), result);
					}
				}
			}
		}
		finally {
			callers.shutdownNow();
		}
	}

	private Round round(ExecutorService callers, Target target, int first, int count, int concurrency)
			throws InterruptedException {
		AtomicInteger next = new AtomicInteger();
		AtomicInteger errors = new AtomicInteger();
		List<Callable<Histogram>> callerTasks = new ArrayList<>();
		for (int i = 0; i < concurrency; i++) {
			callerTasks.add(() -> {
				Histogram latencies = LatencyTable.newHistogram();
				for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
					call(target, first + n, latencies, errors, concurrency);
				}
				return latencies;
			});
		}
		long cpuBefore = target.cpuNanos();
		long start = System.nanoTime();
		List<Future<Histogram>> done = callers.invokeAll(callerTasks);
		long nanos = System.nanoTime() - start;
		long cpuAfter = target.cpuNanos();
		Histogram latencies = LatencyTable.newHistogram();
		for (Future<Histogram> caller : done) {
			try {
				latencies.add(caller.get());
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException("A caller failed", ex.getCause());
			}
		}
		return new Round(latencies, errors.get(), nanos, (cpuBefore >= 0 && cpuAfter >= 0) ? cpuAfter - cpuBefore : -1);
	}

	private void call(Target target, int n, Histogram latencies, AtomicInteger errors, int concurrency) {
		HttpRequest.Builder request = HttpRequest.newBuilder(target.uri())
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer loopback")
			.header(ChatCompletionsController.TENANT_HEADER, ComparisonWorkload.tenant(n))
			.POST(HttpRequest.BodyPublishers.ofString(ComparisonWorkload.body(n)));
		target.headers().forEach(request::header);
		HttpRequest built = request.build();
		String failure;
		long start = System.nanoTime();
		try {
			HttpResponse<String> response = this.client.send(built, HttpResponse.BodyHandlers.ofString());
			long micros = (System.nanoTime() - start) / 1000;
			if (response.statusCode() == 200 && response.body().contains("\"choices\"")) {
				latencies.recordValue(Math.min(micros, LatencyTable.HIGHEST_MICROS));
				return;
			}
			failure = "HTTP " + response.statusCode() + ": "
					+ response.body().substring(0, Math.min(300, response.body().length()));
		}
		catch (IOException ex) {
			failure = ex.toString();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			failure = "interrupted";
		}
		errors.incrementAndGet();
		this.firstErrors.putIfAbsent(target.name() + " at concurrency " + concurrency, failure);
	}

}
