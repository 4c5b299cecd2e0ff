package io.github.airesource.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a real server, for outage tests: {@link #cut()} drops
 * every connection and refuses new ones until {@link #restore()}, as a Redis that went
 * down and came back.
 */
public final class TcpProxy implements AutoCloseable {

	private final ServerSocket server;

	private final String targetHost;

	private final int targetPort;

	private final List<Socket> open = new CopyOnWriteArrayList<>();

	private volatile boolean cut;

	private volatile boolean holdReplies;

	private final Object replyGate = new Object();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger connected = new AtomicInteger();

	private final AtomicInteger peakConnected = new AtomicInteger();

	private TcpProxy(String targetHost, int targetPort) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		Thread acceptor = new Thread(this::accept, "tcp-proxy-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Start a proxy to a server.
	 * @param host the server host
	 * @param port the server port
	 * @return the running proxy
	 */
	public static TcpProxy to(String host, int port) {
		try {
			return new TcpProxy(host, port);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Return the port clients connect to.
	 * @return the port
	 */
	public int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Drop every connection and refuse new ones.
	 */
	public void cut() {
		this.cut = true;
		synchronized (this.replyGate) {
			this.replyGate.notifyAll();
		}
		this.open.forEach(TcpProxy::closeQuietly);
		this.open.clear();
	}

	/**
	 * Accept and forward connections again.
	 */
	public void restore() {
		this.cut = false;
	}

	/**
	 * Keep forwarding requests but hold the server's replies back until
	 * {@link #releaseReplies()}, as a server that applied a command but whose answer is
	 * late.
	 */
	public void holdReplies() {
		this.holdReplies = true;
	}

	/**
	 * Deliver held replies and forward replies at once again.
	 */
	public void releaseReplies() {
		synchronized (this.replyGate) {
			this.holdReplies = false;
			this.replyGate.notifyAll();
		}
	}

	/**
	 * Return how many client connections the proxy has accepted and forwarded since it
	 * started, as a count of the sockets a client opened.
	 * @return the number of connections
	 */
	public int acceptedConnections() {
		return this.accepted.get();
	}

	/**
	 * Return how many forwarded connections are open now, idle ones included.
	 * @return the number of open connections
	 */
	public int openConnections() {
		return this.connected.get();
	}

	/**
	 * Return the most forwarded connections that were open at the same time since the
	 * proxy started.
	 * @return the peak number of open connections
	 */
	public int peakOpenConnections() {
		return this.peakConnected.get();
	}

	@Override
	public void close() {
		cut();
		closeQuietly(this.server);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				if (this.cut) {
					closeQuietly(client);
					continue;
				}
				Socket target = new Socket(this.targetHost, this.targetPort);
				this.open.add(client);
				this.open.add(target);
				this.accepted.incrementAndGet();
				this.peakConnected.accumulateAndGet(this.connected.incrementAndGet(), Math::max);
				AtomicBoolean closed = new AtomicBoolean();
				Runnable onClose = () -> {
					if (closed.compareAndSet(false, true)) {
						this.connected.decrementAndGet();
					}
				};
				pump(client, target, false, onClose);
				pump(target, client, true, onClose);
			}
			catch (IOException ex) {
				// closed or refused: keep accepting until the proxy is closed
			}
		}
	}

	private void pump(Socket from, Socket to, boolean replies, Runnable onClose) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (replies) {
						awaitRepliesReleased();
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// connection dropped
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				onClose.run();
			}
		}, "tcp-proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitRepliesReleased() throws InterruptedException {
		synchronized (this.replyGate) {
			while (this.holdReplies && !this.cut) {
				this.replyGate.wait();
			}
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// already closed
		}
	}

}
