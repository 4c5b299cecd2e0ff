package io.github.airesource.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.util.FileSystemUtils;

/**
 * A {@code redis-server} of a test's own, started from the {@code PATH} on a loopback
 * port, without persistence or with an append-only file: for tests that count a server's
 * commands or stop and restart it, which the shared test Redis (also used by other
 * builds) does not allow. Without {@code redis-server} such tests are skipped, except on
 * CI, where they fail.
 */
public final class RedisServerProcess implements AutoCloseable {

	private final int port;

	private final Path dir;

	private final boolean appendOnly;

	private volatile Process process;

	private RedisServerProcess(int port, Path dir, boolean appendOnly) {
		this.port = port;
		this.dir = dir;
		this.appendOnly = appendOnly;
	}

	/**
	 * Start a server on a free port, skipping the test (failing it on CI) when none can
	 * be started.
	 * @return the running server
	 */
	public static RedisServerProcess start() {
		return start(false);
	}

	/**
	 * Start a server on a free port that writes every change to an append-only file, so
	 * that a {@link #restart()} after a {@link #stop()} finds the data as it was, as a
	 * production Redis with persistence does; skipping the test (failing it on CI) when
	 * none can be started.
	 * @return the running server
	 */
	public static RedisServerProcess startWithAppendOnlyFile() {
		return start(true);
	}

	private static RedisServerProcess start(boolean appendOnly) {
		try {
			return launch(RedisTestSupport.deadPort(), appendOnly);
		}
		catch (IllegalStateException ex) {
			throw RedisTestSupport.unavailable(ex.getMessage());
		}
	}

	/**
	 * Start a server on a port.
	 * @param port the port
	 * @param appendOnly whether it keeps an append-only file
	 * @return the running server
	 * @throws IllegalStateException if it cannot be started or does not answer
	 */
	static RedisServerProcess launch(int port, boolean appendOnly) {
		try {
			RedisServerProcess server = new RedisServerProcess(port, Files.createTempDirectory("airesource-redis"),
					appendOnly);
			server.run();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException("could not create a directory for redis-server", ex);
		}
	}

	/**
	 * Return the port the server listens on.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the server's URL.
	 * @return a {@code redis://127.0.0.1:port} URL
	 */
	public String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/**
	 * Stop the server as an outage would, without saving a snapshot (with an append-only
	 * file, every change is in it already), and wait until it has exited.
	 */
	public void stop() {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.getOutputStream().write("SHUTDOWN NOSAVE\r\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("redis-server on port " + this.port + " did not stop");
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Start the stopped server again on the same port, as after a restart: empty, or with
	 * what its append-only file holds.
	 */
	public void restart() {
		run();
	}

	@Override
	public void close() {
		Process running = this.process;
		if (running != null) {
			running.destroy();
			try {
				if (running.waitFor(10, TimeUnit.SECONDS)) {
					// Its files (an append-only file can be large) go with it.
					FileSystemUtils.deleteRecursively(this.dir);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (IOException ex) {
				// a temporary directory: the system cleans it up eventually
			}
		}
	}

	private void run() {
		try {
			List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(this.port),
					"--bind", "127.0.0.1", "--save", "", "--dir", this.dir.toString()));
			if (this.appendOnly) {
				// Synced every second, as production Redis is (a stop syncs the rest),
				// and
				// rewritten often, so that a restart loads a snapshot and a short tail
				// rather than replaying every write since the start.
				command.addAll(List.of("--appendonly", "yes", "--appendfsync", "everysec",
						"--auto-aof-rewrite-min-size", "8mb"));
			}
			else {
				command.addAll(List.of("--appendonly", "no"));
			}
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.dir.resolve("redis.log").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("no redis-server on the PATH", ex);
		}
		try {
			for (int attempt = 0; attempt < 100; attempt++) {
				if (answersPing("127.0.0.1", this.port)) {
					return;
				}
				if (!this.process.isAlive()) {
					break;
				}
				this.process.waitFor(50, TimeUnit.MILLISECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.process.destroy();
		throw new IllegalStateException("redis-server did not answer on port " + this.port);
	}

	static boolean answersPing(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.read(reply);
			return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
