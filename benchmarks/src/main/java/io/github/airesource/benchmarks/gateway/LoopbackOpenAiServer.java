package io.github.airesource.benchmarks.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The model server of the gateway comparison: answers every
 * {@code POST /v1/chat/completions} on loopback with the same OpenAI chat completion
 * (JSON, with usage) after a fixed latency, the stand-in for a model provider that all
 * three paths of the comparison reach. The answer is serialized once, the request body is
 * read and dropped, nothing is recorded or logged per request, so the server adds as
 * little as it can beside its latency. (The tests' {@code OpenAiWireServer} is a
 * MockWebServer that keeps every request it received and logs each one: right for tests,
 * a growing heap and a log line per call in a run of tens of thousands of calls.)
 *
 * <p>
 * Run: {@code java -cp ... LoopbackOpenAiServer --port=18080 --latency-ms=5}.
 */
public final class LoopbackOpenAiServer implements AutoCloseable {

	/** The path the server answers, as OpenAI's API has it under {@code /v1}. */
	public static final String PATH = "/v1/chat/completions";

	/** The prompt tokens every answer reports. */
	public static final int PROMPT_TOKENS = 350;

	/** The completion tokens every answer reports. */
	public static final int COMPLETION_TOKENS = 12;

	static final String ANSWER = "The order shipped on Monday and should arrive before Friday.";

	private static final byte[] COMPLETION = ("{\"id\":\"chatcmpl-loopback\",\"object\":\"chat.completion\","
			+ "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_loopback\","
			+ "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\"},"
			+ "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS + ",\"completion_tokens\":"
			+ COMPLETION_TOKENS + ",\"total_tokens\":" + (PROMPT_TOKENS + COMPLETION_TOKENS) + "}}")
		.getBytes(StandardCharsets.UTF_8);

	private final HttpServer server;

	private final ExecutorService workers;

	private final long latencyNanos;

	private LoopbackOpenAiServer(HttpServer server, ExecutorService workers, Duration latency) {
		this.server = server;
		this.workers = workers;
		this.latencyNanos = latency.toNanos();
	}

	/**
	 * Start a server on loopback.
	 * @param port the port, or 0 for a free one
	 * @param latency how long each answer takes, as a model's would
	 * @return the running server
	 * @throws IOException when the port cannot be bound
	 */
	public static LoopbackOpenAiServer start(int port, Duration latency) throws IOException {
		// The JDK server writes the headers and the body of a response separately;
		// without
		// TCP_NODELAY, Nagle's algorithm holds the body back until the client
		// acknowledges
		// the headers, a delay that would dwarf what is measured. Read once, when the
		// server's configuration class loads.
		System.setProperty("sun.net.httpserver.nodelay", "true");
		// Above 200 idle keep-alive connections (its default) the JDK server closes the
		// ones that go idle, and a client that reuses one in that moment fails with "no
		// response"; the comparison's clients keep up to 64 connections each.
		System.setProperty("sun.net.httpserver.maxIdleConnections", "2000");
		System.setProperty("sun.net.httpserver.idleInterval", "600");
		HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
		// One thread per request in its latency, as a server holding a connection per
		// in-flight request does; idle threads end after a minute.
		ExecutorService workers = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "loopback-openai");
			thread.setDaemon(true);
			return thread;
		});
		LoopbackOpenAiServer server = new LoopbackOpenAiServer(http, workers, latency);
		http.createContext(PATH, server::answer);
		http.setExecutor(workers);
		http.start();
		return server;
	}

	/**
	 * Return the port the server listens on.
	 * @return the port
	 */
	public int port() {
		return this.server.getAddress().getPort();
	}

	/**
	 * Return the base URL an OpenAI client is given (without {@code /v1}).
	 * @return the URL
	 */
	public String baseUrl() {
		return "http://127.0.0.1:" + port();
	}

	private void answer(HttpExchange exchange) throws IOException {
		try {
			try (InputStream body = exchange.getRequestBody()) {
				body.transferTo(OutputStream.nullOutputStream());
			}
			if (!"POST".equals(exchange.getRequestMethod())) {
				exchange.sendResponseHeaders(405, -1);
				return;
			}
			pause();
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, COMPLETION.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(COMPLETION);
			}
		}
		finally {
			exchange.close();
		}
	}

	/**
	 * The model's latency: this request's thread waits, as a blocking server's would.
	 */
	private void pause() {
		if (this.latencyNanos <= 0) {
			return;
		}
		try {
			TimeUnit.NANOSECONDS.sleep(this.latencyNanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.workers.shutdownNow();
	}

	/**
	 * Start the server and keep it running until the process is stopped.
	 * @param args {@code --port=N} (default 18080) and {@code --latency-ms=N} (default 5)
	 * @throws Exception when the server cannot start
	 */
	public static void main(String[] args) throws Exception {
		CommandLine options = CommandLine.parse(args);
		LoopbackOpenAiServer server = start(options.intValue("port", 18080),
				Duration.ofMillis(options.intValue("latency-ms", 5)));
		System.out.println("Loopback OpenAI server on " + server.baseUrl() + PATH + ", latency "
				+ options.intValue("latency-ms", 5) + " ms");
		Runtime.getRuntime().addShutdownHook(new Thread(server::close));
		Thread.currentThread().join();
	}

}
