package io.github.airesource.core.memory;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

import com.sun.management.GarbageCollectionNotificationInfo;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.Assert;

/**
 * Watches the JVM's heap and tells whether it is under pressure: the heap used after
 * garbage collection above a fraction ({@code max-heap-usage}) of its maximum. The answer
 * is one volatile field, {@link #underPressure()}, so the call path never touches a
 * management bean; it is updated by the JVM's notifications, not by polling.
 *
 * <p>
 * How: on {@link #start()} the monitor sets the collection-usage threshold
 * ({@link MemoryPoolMXBean#setCollectionUsageThreshold}) of the watched heap pools to
 * {@code max-heap-usage} of each pool's maximum and listens to the memory bean's
 * {@link MemoryNotificationInfo#MEMORY_COLLECTION_THRESHOLD_EXCEEDED} notifications,
 * which the JVM sends right after a collection leaves a pool above its threshold. The JVM
 * sends no notification when a pool falls back below, so the monitor also listens to
 * every collector's
 * {@link GarbageCollectionNotificationInfo#GARBAGE_COLLECTION_NOTIFICATION} and re-reads
 * the watched pools' collection usage after each collection: the flag clears after the
 * first collection that leaves them below the threshold. Both listeners only compare a
 * few numbers; they run on the JVM's notification thread, not in a call.
 *
 * <p>
 * Which pools are watched: the heap pools that support collection-usage thresholds and
 * hold long-lived objects, because young pools are emptied by every young collection and
 * say nothing about what the application retains.
 * <ul>
 * <li>G1: {@code G1 Old Gen} (its maximum is the whole heap, so the fraction is of
 * {@code -Xmx}); its collection usage is updated by collections that collect old regions
 * (mixed and full).</li>
 * <li>Parallel: {@code PS Old Gen}; Serial: {@code Tenured Gen} (their maximum is the old
 * generation's share of the heap, about two thirds by default, so the fraction is of
 * that).</li>
 * <li>ZGC, non-generational (Java 17 to 20, and {@code -XX:-ZGenerational} on 21 and 22):
 * one pool, {@code ZHeap}, watched whole; updated after every ZGC cycle.</li>
 * <li>Generational ZGC (Java 21+ with {@code -XX:+ZGenerational}, the only ZGC from 23):
 * {@code ZGC Old Generation}; updated after major cycles.</li>
 * <li>Any other collector: the pools whose name says old or tenured; when none does (a
 * single-pool collector such as Shenandoah), every heap pool that supports the
 * threshold.</li>
 * </ul>
 * When no pool supports collection-usage thresholds the monitor still reports figures and
 * never reports pressure, and says so in the log.
 *
 * <p>
 * Thresholds are JVM-wide: {@link #stop()} puts back the threshold that was set before
 * {@link #start()}. Two monitors in one JVM (two application contexts) each decide on
 * their own numbers, because every decision re-reads the collection usage instead of
 * trusting which threshold fired.
 *
 * <p>
 * {@link #snapshot()} reads every figure afresh, including the process's resident memory
 * from Linux's {@code /proc/self/status}: meant for the health endpoint and metrics, not
 * for every call.
 */
public final class MemoryMonitor implements MemoryPressure, AutoCloseable {

	private static final Log logger = LogFactory.getLog(MemoryMonitor.class);

	private static final Path PROC_STATUS = Path.of("/proc/self/status");

	private final double maxHeapUsage;

	private final List<MemoryPoolMXBean> watched;

	private final long[] thresholds;

	private final long[] previousThresholds;

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	private final List<MemoryPressureListener> listeners = new CopyOnWriteArrayList<>();

	private final NotificationListener notificationListener = this::onNotification;

	private final List<NotificationEmitter> emitters = new ArrayList<>();

	private final Object lifecycleMonitor = new Object();

	private boolean running;

	// The call path reads this and nothing else.
	private volatile boolean underPressure;

	private volatile double heapUsageAfterGc = Double.NaN;

	private MemoryMonitor(double maxHeapUsage, List<MemoryPoolMXBean> watched) {
		this.maxHeapUsage = maxHeapUsage;
		this.watched = List.copyOf(watched);
		this.thresholds = new long[watched.size()];
		this.previousThresholds = new long[watched.size()];
		for (int i = 0; i < watched.size(); i++) {
			this.thresholds[i] = (long) Math.ceil(maxOf(watched.get(i)) * maxHeapUsage);
		}
	}

	/**
	 * Create a monitor of this JVM's heap, not started.
	 * @param maxHeapUsage the fraction of the watched pools' maximum above which the heap
	 * is under pressure, greater than 0 and less than 1
	 * @return the monitor
	 */
	public static MemoryMonitor create(double maxHeapUsage) {
		Assert.isTrue(maxHeapUsage > 0 && maxHeapUsage < 1, "maxHeapUsage must be greater than 0 and less than 1");
		return new MemoryMonitor(maxHeapUsage, watchedPools(ManagementFactory.getMemoryPoolMXBeans()));
	}

	/**
	 * Choose the pools to watch: the old or tenured heap pools that support
	 * collection-usage thresholds, or every heap pool that does when none is old (ZGC
	 * before generations, Shenandoah).
	 * @param pools the JVM's memory pools
	 * @return the pools to watch, possibly none
	 */
	static List<MemoryPoolMXBean> watchedPools(List<MemoryPoolMXBean> pools) {
		List<MemoryPoolMXBean> supported = pools.stream()
			.filter((pool) -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
			.toList();
		List<MemoryPoolMXBean> old = supported.stream().filter((pool) -> isOld(pool.getName())).toList();
		return old.isEmpty() ? supported : old;
	}

	private static boolean isOld(String name) {
		return name.contains("Old") || name.contains("Tenured");
	}

	private static long maxOf(MemoryPoolMXBean pool) {
		long max = pool.getUsage().getMax();
		// A pool without a maximum of its own can grow to the whole heap.
		return (max > 0) ? max : Runtime.getRuntime().maxMemory();
	}

	/**
	 * Set the thresholds and listen to the JVM's notifications; then decide once from the
	 * last collection so far. Does nothing when already started.
	 */
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			if (this.watched.isEmpty()) {
				logger.warn("No heap memory pool supports collection-usage thresholds with this garbage collector; "
						+ "ai.resource.memory.max-heap-usage cannot be enforced");
			}
			for (int i = 0; i < this.watched.size(); i++) {
				MemoryPoolMXBean pool = this.watched.get(i);
				this.previousThresholds[i] = pool.getCollectionUsageThreshold();
				pool.setCollectionUsageThreshold(this.thresholds[i]);
			}
			if (this.memory instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(this.notificationListener,
						(notification) -> MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED
							.equals(notification.getType()),
						null);
				this.emitters.add(emitter);
			}
			for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
				if (collector instanceof NotificationEmitter emitter) {
					emitter.addNotificationListener(this.notificationListener,
							(notification) -> GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
								.equals(notification.getType()),
							null);
					this.emitters.add(emitter);
				}
			}
			this.running = true;
		}
		check();
	}

	/**
	 * Stop listening and put back the thresholds that were set before {@link #start()};
	 * the monitor no longer reports pressure. Does nothing when not started.
	 */
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			for (NotificationEmitter emitter : this.emitters) {
				try {
					emitter.removeNotificationListener(this.notificationListener);
				}
				catch (ListenerNotFoundException ex) {
					// Already gone; nothing to remove.
				}
			}
			this.emitters.clear();
			for (int i = 0; i < this.watched.size(); i++) {
				this.watched.get(i).setCollectionUsageThreshold(this.previousThresholds[i]);
			}
			this.running = false;
			this.underPressure = false;
		}
	}

	/**
	 * Same as {@link #stop()}.
	 */
	@Override
	public void close() {
		stop();
	}

	/**
	 * Return whether the monitor is started.
	 * @return {@code true} between {@link #start()} and {@link #stop()}
	 */
	public boolean isRunning() {
		synchronized (this.lifecycleMonitor) {
			return this.running;
		}
	}

	/**
	 * Add a listener told when the pressure changes.
	 * @param listener the listener
	 */
	public void addListener(MemoryPressureListener listener) {
		Assert.notNull(listener, "listener must not be null");
		this.listeners.add(listener);
	}

	/**
	 * Remove a listener.
	 * @param listener the listener
	 */
	public void removeListener(MemoryPressureListener listener) {
		this.listeners.remove(listener);
	}

	@Override
	public boolean underPressure() {
		return this.underPressure;
	}

	@Override
	public double heapUsageAfterGc() {
		return this.heapUsageAfterGc;
	}

	@Override
	public double maxHeapUsage() {
		return this.maxHeapUsage;
	}

	/**
	 * Return the names of the pools the threshold is set on.
	 * @return the names, possibly none
	 */
	public List<String> watchedPools() {
		return this.watched.stream().map(MemoryPoolMXBean::getName).toList();
	}

	private void onNotification(Notification notification, Object handback) {
		try {
			check();
		}
		catch (RuntimeException ex) {
			// Never let a failure escape into the JVM's notification thread.
			logger.warn("Memory pressure check failed", ex);
		}
	}

	/**
	 * Decide from the watched pools' usage after their last collection. Runs after each
	 * collection; a pool that was not collected keeps its previous figure.
	 */
	private void check() {
		boolean pressure = false;
		double fraction = Double.NaN;
		for (int i = 0; i < this.watched.size(); i++) {
			MemoryPoolMXBean pool = this.watched.get(i);
			MemoryUsage usage = pool.getCollectionUsage();
			if (usage == null) {
				continue;
			}
			pressure |= usage.getUsed() >= this.thresholds[i];
			double poolFraction = (double) usage.getUsed() / maxOf(pool);
			fraction = Double.isNaN(fraction) ? poolFraction : Math.max(fraction, poolFraction);
		}
		boolean changed;
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.heapUsageAfterGc = fraction;
			changed = this.underPressure != pressure;
			this.underPressure = pressure;
		}
		if (changed) {
			MemorySnapshot snapshot = snapshot();
			if (pressure) {
				logger.warn("Heap under pressure: " + percent(fraction) + " of " + watchedPools()
						+ " used after garbage collection, above ai.resource.memory.max-heap-usage " + this.maxHeapUsage
						+ "; refusing new calls");
			}
			else {
				logger.info("Heap pressure cleared: " + percent(fraction) + " of " + watchedPools()
						+ " used after garbage collection; accepting calls again");
			}
			for (MemoryPressureListener listener : this.listeners) {
				listener.pressureChanged(snapshot);
			}
		}
	}

	private static String percent(double fraction) {
		return Math.round(fraction * 1000) / 10.0 + "%";
	}

	/**
	 * Read every figure now: heap and non-heap use, the watched pools after their last
	 * collection, collection counts and time, and the resident memory. Costs a few
	 * management calls and, on Linux, reading {@code /proc/self/status}; not for the call
	 * path.
	 * @return the figures
	 */
	public MemorySnapshot snapshot() {
		long afterGc = 0;
		long watchedMax = 0;
		for (MemoryPoolMXBean pool : this.watched) {
			MemoryUsage usage = pool.getCollectionUsage();
			afterGc += (usage != null) ? usage.getUsed() : 0;
			watchedMax += maxOf(pool);
		}
		MemoryUsage heap = this.memory.getHeapMemoryUsage();
		MemoryUsage nonHeap = this.memory.getNonHeapMemoryUsage();
		long gcCount = 0;
		long gcMillis = 0;
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			gcCount += Math.max(0, collector.getCollectionCount());
			gcMillis += Math.max(0, collector.getCollectionTime());
		}
		return new MemorySnapshot(this.underPressure, this.maxHeapUsage, this.heapUsageAfterGc, afterGc, watchedMax,
				watchedPools(), heap.getUsed(), heap.getCommitted(), heap.getMax(), nonHeap.getUsed(),
				nonHeap.getCommitted(), gcCount, Duration.ofMillis(gcMillis), residentBytes());
	}

	/**
	 * Return the process's resident set size from {@code /proc/self/status}.
	 * @return the bytes, or -1 where the file does not exist or has no {@code VmRSS}
	 */
	static long residentBytes() {
		if (!Files.isReadable(PROC_STATUS)) {
			return -1;
		}
		try {
			for (String line : Files.readAllLines(PROC_STATUS)) {
				if (line.startsWith("VmRSS:")) {
					return parseKilobytes(line.substring("VmRSS:".length())) * 1024;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Cannot read the resident memory from " + PROC_STATUS, ex);
		}
		return -1;
	}

	static long parseKilobytes(String value) {
		String trimmed = value.trim();
		int space = trimmed.indexOf(' ');
		return Long.parseLong((space < 0) ? trimmed : trimmed.substring(0, space));
	}

}
