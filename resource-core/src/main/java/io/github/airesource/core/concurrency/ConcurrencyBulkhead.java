package io.github.airesource.core.concurrency;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.github.airesource.core.concurrency.ConcurrencyPermit.State;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.core.support.RejectionCounter;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * At most {@code max-concurrent} calls at once, with a bounded queue of callers waiting
 * for a permit: by priority, first come first served within one, at most {@code max-wait}
 * each; per-user and per-tenant caps; permits reserved for high priority. Works the same
 * for threads that block (platform or virtual) and for reactive callers that must not.
 *
 * <p>
 * The permits themselves are a Resilience4j {@link Bulkhead} (a semaphore bulkhead,
 * created in the application's {@link BulkheadRegistry} when there is one, so that
 * Resilience4j's own {@code bulkheads} endpoint and metrics list it). Resilience4j's
 * semaphore bulkhead cannot be the queue: its waiters are threads blocked on a fair
 * semaphore, unbounded in number, without priorities or per-key caps, and a reactive
 * caller cannot wait there without holding a thread. So it is used only with
 * {@code maxWaitDuration} 0, to take a permit that is free; the queue is ours, guarded by
 * one {@link ReentrantLock} (not {@code synchronized}, so that virtual threads waiting on
 * it unmount). Every permit is taken under that lock, and a permit given back is handed
 * at once, under the same lock, to the first waiter that may have it, so no newcomer can
 * take it first. This keeps the invariant the rest relies on: outside the lock, no waiter
 * could be admitted, so a newcomer that finds a permit it may take passes no one.
 *
 * <p>
 * The Resilience4j bulkhead must be this one's alone: a permit taken from it by other
 * code and given back would not wake our waiters.
 */
public final class ConcurrencyBulkhead {

	/** The name the bulkhead gets in Resilience4j unless configured. */
	public static final String DEFAULT_NAME = "ai-resource";

	private static final Log logger = LogFactory.getLog(ConcurrencyBulkhead.class);

	private static final ConcurrencyPriority[] PRIORITIES = ConcurrencyPriority.values();

	/** One in how many calls admitted at once has its hold timed. */
	private static final int TIMED_HOLD_EVERY = 8;

	private static final VarHandle ACTIVE;

	static {
		try {
			ACTIVE = MethodHandles.lookup().findVarHandle(ConcurrencyBulkhead.class, "active", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Bulkhead permits;

	private final int maxConcurrent;

	private final int maxQueue;

	private final Duration maxWait;

	private final int reservedForHigh;

	private final ReentrantLock lock = new ReentrantLock();

	// Guarded by the lock.

	private final Map<ConcurrencyPriority, ArrayDeque<ConcurrencyPermit>> queues = new EnumMap<>(
			ConcurrencyPriority.class);

	private final ScopeCounts users;

	private final ScopeCounts tenants;

	private int waiting;

	private long meanHoldNanos;

	/** Calls admitted at once since the last whose hold was timed. */
	private int untimedHolds;

	// Read without the lock by meters.

	/**
	 * Guarded by the lock; written with release ordering (through {@link #ACTIVE}) for
	 * the gauges that read it without the lock, not as a volatile field, whose every
	 * write costs a full fence (two per call).
	 */
	private int active;

	private final AtomicIntegerArray queued = new AtomicIntegerArray(PRIORITIES.length);

	private final Map<String, RejectionCounter> rejections = Map.of(ConcurrencyLimitExceededException.MAX_QUEUE,
			new RejectionCounter(), ConcurrencyLimitExceededException.MAX_WAIT, new RejectionCounter(),
			ConcurrencyLimitExceededException.PER_USER, new RejectionCounter(),
			ConcurrencyLimitExceededException.PER_TENANT, new RejectionCounter());

	private final List<Consumer<Duration>> waitListeners = new CopyOnWriteArrayList<>();

	private ConcurrencyBulkhead(Builder builder) {
		this.maxConcurrent = builder.maxConcurrent;
		this.maxQueue = builder.maxQueue;
		this.maxWait = builder.maxWait;
		this.reservedForHigh = builder.reservedForHigh;
		this.users = new ScopeCounts(builder.perUser);
		this.tenants = new ScopeCounts(builder.perTenant);
		for (ConcurrencyPriority priority : PRIORITIES) {
			this.queues.put(priority, new ArrayDeque<>());
		}
		this.permits = permits(builder.name, builder.maxConcurrent, builder.registry);
	}

	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Take a permit for a call, or a place in the queue. Never blocks beyond the short
	 * hold of the lock.
	 * @param priority the call's priority
	 * @param scope who the call is for, whose caps apply
	 * @return the call's permit: admitted, or waiting
	 * @throws ConcurrencyLimitExceededException when the call can neither have a permit
	 * nor wait for one
	 */
	public ConcurrencyPermit enter(ConcurrencyPriority priority, CallScope scope) {
		ConcurrencyPermit permit = new ConcurrencyPermit(this, priority, scope);
		this.lock.lock();
		try {
			if (!mayAdmit(permit) || !admit(permit, holdStart())) {
				String capped = cappedBy(permit);
				boolean full = this.waiting >= this.maxQueue;
				if (full || this.maxWait.isZero()) {
					throw reject((capped != null) ? capped : full ? ConcurrencyLimitExceededException.MAX_QUEUE
							: ConcurrencyLimitExceededException.MAX_WAIT);
				}
				// The clock is read for a call that waits, not for one admitted at once.
				permit.enqueued(System.nanoTime());
				this.queues.get(priority).addLast(permit);
				this.waiting++;
				this.queued.incrementAndGet(priority.ordinal());
				return permit;
			}
		}
		finally {
			this.lock.unlock();
		}
		fireWaited(permit);
		return permit;
	}

	/**
	 * Take a permit for a call, waiting for one when needed: {@link #enter} then
	 * {@link ConcurrencyPermit#await()}.
	 * @param priority the call's priority
	 * @param scope who the call is for
	 * @return the admitted permit; close it when the call ends
	 * @throws ConcurrencyLimitExceededException when the call is refused
	 * @throws InterruptedException when the thread is interrupted while waiting
	 */
	public ConcurrencyPermit acquire(ConcurrencyPriority priority, CallScope scope) throws InterruptedException {
		ConcurrencyPermit permit = enter(priority, scope);
		permit.await();
		return permit;
	}

	/**
	 * Return the state of the bulkhead now, for endpoints and health.
	 * @return the snapshot
	 */
	public ConcurrencySnapshot snapshot() {
		this.lock.lock();
		try {
			return new ConcurrencySnapshot(this.permits.getName(), this.active, this.maxConcurrent,
					this.permits.getMetrics().getAvailableConcurrentCalls(), this.reservedForHigh,
					new ConcurrencySnapshot.Queued(queued(ConcurrencyPriority.HIGH), queued(ConcurrencyPriority.NORMAL),
							queued(ConcurrencyPriority.LOW)),
					this.maxQueue, this.users.activity(), this.tenants.activity(),
					new ConcurrencySnapshot.Rejections(rejections(ConcurrencyLimitExceededException.MAX_QUEUE),
							rejections(ConcurrencyLimitExceededException.MAX_WAIT),
							rejections(ConcurrencyLimitExceededException.PER_USER),
							rejections(ConcurrencyLimitExceededException.PER_TENANT)));
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return how many calls hold a permit, without taking the lock (for gauges).
	 * @return the count
	 */
	public int active() {
		return (int) ACTIVE.getAcquire(this);
	}

	/**
	 * Return how many calls of a priority wait, without taking the lock (for gauges).
	 * @param priority the priority
	 * @return the count
	 */
	public int queued(ConcurrencyPriority priority) {
		return this.queued.get(priority.ordinal());
	}

	/**
	 * Return when a call was last refused by one of the bulkhead's limits.
	 * @param limit {@link ConcurrencyLimitExceededException#MAX_QUEUE},
	 * {@link ConcurrencyLimitExceededException#MAX_WAIT},
	 * {@link ConcurrencyLimitExceededException#PER_USER} or
	 * {@link ConcurrencyLimitExceededException#PER_TENANT}
	 * @return the time, or {@code null} when none was refused
	 */
	@Nullable
	public Instant lastRejection(String limit) {
		RejectionCounter counter = this.rejections.get(limit);
		Assert.notNull(counter, () -> "no concurrency limit is named '" + limit + "'");
		return counter.last();
	}

	/**
	 * Return the Resilience4j bulkhead that keeps the permits.
	 * @return the bulkhead
	 */
	public Bulkhead resilience4jBulkhead() {
		return this.permits;
	}

	/**
	 * Tell a listener, for every admitted call, how long it waited for its permit (zero
	 * when one was free); for the {@code ai.resource.limit.wait} timer. Listeners run on
	 * the caller's thread and must be quick.
	 * @param listener the listener
	 */
	public void addWaitListener(Consumer<Duration> listener) {
		Assert.notNull(listener, "listener must not be null");
		this.waitListeners.add(listener);
	}

	/**
	 * Return how much longer a waiting call may wait.
	 */
	Duration remainingWait(ConcurrencyPermit permit) {
		long remaining = this.maxWait.toNanos() - (System.nanoTime() - permit.enqueuedNanos());
		return Duration.ofNanos(Math.max(0, remaining));
	}

	void await(ConcurrencyPermit permit) throws InterruptedException {
		if (permit.state() == State.ADMITTED) {
			// Admitted in enter(), as most calls are: the state is read with acquire
			// ordering and only its owner closes a blocking call's permit, so the lock
			// has nothing to add.
			fireWaited(permit);
			return;
		}
		List<ConcurrencyPermit> handedOver = null;
		this.lock.lock();
		try {
			if (permit.state() == State.WAITING) {
				Condition admitted = this.lock.newCondition();
				permit.waiting(admitted);
				long remaining = remainingWait(permit).toNanos();
				while (permit.state() == State.WAITING) {
					if (remaining <= 0) {
						throw expireLocked(permit);
					}
					try {
						remaining = admitted.awaitNanos(remaining);
					}
					catch (InterruptedException ex) {
						handedOver = closeLocked(permit);
						throw ex;
					}
				}
			}
			if (permit.state() != State.ADMITTED) {
				throw new IllegalStateException("The permit was closed before it was admitted");
			}
		}
		finally {
			this.lock.unlock();
			notifyAdmitted(handedOver);
		}
		fireWaited(permit);
	}

	void onAdmitted(ConcurrencyPermit permit, Runnable action) {
		this.lock.lock();
		try {
			if (permit.state() == State.WAITING) {
				permit.onAdmittedAction(action);
				return;
			}
			if (permit.state() == State.CLOSED) {
				return;
			}
		}
		finally {
			this.lock.unlock();
		}
		action.run();
	}

	@Nullable
	ConcurrencyLimitExceededException expire(ConcurrencyPermit permit) {
		this.lock.lock();
		try {
			return (permit.state() == State.WAITING) ? expireLocked(permit) : null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Close a permit.
	 * @return whether it was still waiting
	 */
	boolean close(ConcurrencyPermit permit) {
		State before;
		List<ConcurrencyPermit> handedOver = null;
		this.lock.lock();
		try {
			before = permit.state();
			handedOver = closeLocked(permit);
		}
		finally {
			this.lock.unlock();
		}
		notifyAdmitted(handedOver);
		return before == State.WAITING;
	}

	@Nullable
	private List<ConcurrencyPermit> closeLocked(ConcurrencyPermit permit) {
		State state = permit.state();
		permit.closed();
		if (state == State.WAITING) {
			leaveQueue(permit);
			return null;
		}
		if (state == State.ADMITTED) {
			release(permit);
			// Nobody waits in the usual case: no iterators over three empty queues.
			return (this.waiting > 0) ? dispatch() : null;
		}
		return null;
	}

	private void release(ConcurrencyPermit permit) {
		ACTIVE.setRelease(this, this.active - 1);
		permit.releaseCounts(this.users, this.tenants);
		long admitted = permit.admittedNanos();
		if (admitted != 0) {
			long held = System.nanoTime() - admitted;
			this.meanHoldNanos = (this.meanHoldNanos == 0) ? held
					: this.meanHoldNanos + (held - this.meanHoldNanos) / 8;
		}
		this.permits.onComplete();
	}

	/**
	 * Return when a call admitted at once starts to hold its permit, or 0 when its hold
	 * is not timed: the holds of the first calls are timed and then every
	 * {@value #TIMED_HOLD_EVERY}th, with every hold of a call that waited. The mean hold
	 * is an estimate for a refusal's retry-after, which needs no more; timing every call
	 * read the clock twice per call, more than the rest of a permit. Under the lock.
	 */
	private long holdStart() {
		if (this.meanHoldNanos != 0 && ++this.untimedHolds < TIMED_HOLD_EVERY) {
			return 0;
		}
		this.untimedHolds = 0;
		return System.nanoTime();
	}

	/**
	 * Hand free permits to the waiters that may have them: high priority first, first
	 * come first served within a priority, skipping (not stopping at) a waiter whose user
	 * or tenant is at its cap, so that it holds up no one behind it.
	 * @return the admitted waiters whose reactive callers must be told, outside the lock
	 */
	@Nullable
	private List<ConcurrencyPermit> dispatch() {
		List<ConcurrencyPermit> handedOver = null;
		for (ConcurrencyPriority priority : PRIORITIES) {
			Iterator<ConcurrencyPermit> waiters = this.queues.get(priority).iterator();
			while (waiters.hasNext()) {
				if (!permitFor(priority)) {
					// Lower priorities need as many free permits as this one or more.
					return handedOver;
				}
				ConcurrencyPermit waiter = waiters.next();
				if (cappedBy(waiter) == null && admit(waiter, System.nanoTime())) {
					waiters.remove();
					this.waiting--;
					this.queued.decrementAndGet(priority.ordinal());
					Condition condition = waiter.waiting();
					if (condition != null) {
						condition.signal();
					}
					else {
						if (handedOver == null) {
							handedOver = new ArrayList<>();
						}
						handedOver.add(waiter);
					}
				}
			}
		}
		return handedOver;
	}

	private boolean mayAdmit(ConcurrencyPermit permit) {
		return permitFor(permit.priority()) && cappedBy(permit) == null;
	}

	/**
	 * Return whether a call of the priority may take a permit now: any free one for high
	 * priority, else only one beyond those reserved for high.
	 */
	private boolean permitFor(ConcurrencyPriority priority) {
		int free = this.permits.getMetrics().getAvailableConcurrentCalls();
		return (priority == ConcurrencyPriority.HIGH) ? free > 0 : free > this.reservedForHigh;
	}

	@Nullable
	private String cappedBy(ConcurrencyPermit permit) {
		if (!this.users.allows(permit.scope().user())) {
			return ConcurrencyLimitExceededException.PER_USER;
		}
		if (!this.tenants.allows(permit.scope().tenant())) {
			return ConcurrencyLimitExceededException.PER_TENANT;
		}
		return null;
	}

	private boolean admit(ConcurrencyPermit permit, long nanos) {
		// Semaphore.tryAcquire(0, ms), which Resilience4j calls, refuses a thread whose
		// interrupt flag is set even when a permit is free: a call interrupted while it
		// gives its permit back must still hand it on.
		boolean interrupted = Thread.interrupted();
		boolean acquired;
		try {
			acquired = this.permits.tryAcquirePermission();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		if (!acquired) {
			return false;
		}
		ACTIVE.setRelease(this, this.active + 1);
		permit.counted(this.users.increment(permit.scope().user()), this.tenants.increment(permit.scope().tenant()));
		permit.admitted(nanos);
		return true;
	}

	private ConcurrencyLimitExceededException expireLocked(ConcurrencyPermit permit) {
		String capped = cappedBy(permit);
		permit.closed();
		leaveQueue(permit);
		return reject((capped != null) ? capped : ConcurrencyLimitExceededException.MAX_WAIT);
	}

	private void leaveQueue(ConcurrencyPermit permit) {
		if (this.queues.get(permit.priority()).remove(permit)) {
			this.waiting--;
			this.queued.decrementAndGet(permit.priority().ordinal());
		}
	}

	private ConcurrencyLimitExceededException reject(String limit) {
		this.rejections.get(limit).increment();
		ScopeType scope = switch (limit) {
			case ConcurrencyLimitExceededException.PER_USER -> ScopeType.USER;
			case ConcurrencyLimitExceededException.PER_TENANT -> ScopeType.TENANT;
			default -> ScopeType.GLOBAL;
		};
		return new ConcurrencyLimitExceededException(describe(limit), limit, scope, retryAfter(limit));
	}

	private String describe(String limit) {
		return switch (limit) {
			case ConcurrencyLimitExceededException.MAX_QUEUE -> "All " + this.maxConcurrent
					+ " concurrency permits are taken and the queue is full (" + this.maxQueue + " calls wait)";
			case ConcurrencyLimitExceededException.PER_USER ->
				"The user already runs as many calls as allowed (" + this.users.activity().cap() + ")";
			case ConcurrencyLimitExceededException.PER_TENANT ->
				"The tenant already runs as many calls as allowed (" + this.tenants.activity().cap() + ")";
			default -> "No concurrency permit came free within " + this.maxWait + " (max-concurrent "
					+ this.maxConcurrent + ")";
		};
	}

	/**
	 * Estimate when a permit is likely to be free: the mean time calls hold one (of the
	 * holds timed, see {@link #holdStart()}), times the rounds the waiting calls ahead
	 * need; whole seconds, as {@code Retry-After} takes them. Unknown until a call has
	 * given its permit back.
	 */
	@Nullable
	private Duration retryAfter(String limit) {
		if (this.meanHoldNanos == 0) {
			return null;
		}
		long rounds = ConcurrencyLimitExceededException.MAX_QUEUE.equals(limit) ? 1 + this.waiting / this.maxConcurrent
				: 1;
		long seconds = Math.max(1, (long) Math.ceil(this.meanHoldNanos * (double) rounds / 1e9));
		return Duration.ofSeconds(seconds);
	}

	private long rejections(String limit) {
		return this.rejections.get(limit).count();
	}

	private void notifyAdmitted(@Nullable List<ConcurrencyPermit> handedOver) {
		if (handedOver == null) {
			return;
		}
		for (ConcurrencyPermit permit : handedOver) {
			fireWaited(permit);
			Runnable action = takeOnAdmitted(permit);
			if (action != null) {
				try {
					action.run();
				}
				catch (RuntimeException ex) {
					// The releasing caller must not fail for another call's continuation.
					logger.warn("Continuation of an admitted call failed", ex);
				}
			}
		}
	}

	@Nullable
	private Runnable takeOnAdmitted(ConcurrencyPermit permit) {
		this.lock.lock();
		try {
			return permit.takeOnAdmitted();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void fireWaited(ConcurrencyPermit permit) {
		if (this.waitListeners.isEmpty() || !permit.markWaitReported()) {
			return;
		}
		Duration waited = permit.waited();
		for (Consumer<Duration> listener : this.waitListeners) {
			try {
				listener.accept(waited);
			}
			catch (RuntimeException ex) {
				logger.warn("Concurrency wait listener " + listener + " failed", ex);
			}
		}
	}

	private static Bulkhead permits(String name, int maxConcurrent, @Nullable BulkheadRegistry registry) {
		BulkheadConfig config = BulkheadConfig.custom()
			.maxConcurrentCalls(maxConcurrent)
			.maxWaitDuration(Duration.ZERO)
			.writableStackTraceEnabled(false)
			.build();
		if (registry == null) {
			return Bulkhead.of(name, config);
		}
		Bulkhead bulkhead = registry.bulkhead(name, config);
		BulkheadConfig existing = bulkhead.getBulkheadConfig();
		if (existing.getMaxConcurrentCalls() != maxConcurrent || !existing.getMaxWaitDuration().isZero()) {
			// Configured under resilience4j.bulkhead.instances too:
			// ai.resource.concurrency
			// wins, and the queue is ours, so Resilience4j must not make callers wait.
			logger.warn("Resilience4j bulkhead '" + name + "' is configured with maxConcurrentCalls "
					+ existing.getMaxConcurrentCalls() + " and maxWaitDuration " + existing.getMaxWaitDuration()
					+ "; ai.resource.concurrency sets it to " + maxConcurrent + " and 0");
			bulkhead.changeConfig(config);
		}
		return bulkhead;
	}

	/**
	 * Builder for {@link ConcurrencyBulkhead}.
	 */
	public static final class Builder {

		private String name = DEFAULT_NAME;

		private int maxConcurrent = 5;

		private int maxQueue = 100;

		private Duration maxWait = Duration.ofSeconds(30);

		private int perUser;

		private int perTenant;

		private int reservedForHigh;

		@Nullable
		private BulkheadRegistry registry;

		private Builder() {
		}

		/**
		 * Set the name of the Resilience4j bulkhead.
		 * @param name the name
		 * @return this builder
		 */
		public Builder name(String name) {
			Assert.hasText(name, "name must not be empty");
			this.name = name;
			return this;
		}

		/**
		 * Set how many calls may run at once.
		 * @param maxConcurrent the permits, at least 1
		 * @return this builder
		 */
		public Builder maxConcurrent(int maxConcurrent) {
			Assert.isTrue(maxConcurrent >= 1, "maxConcurrent must be at least 1");
			this.maxConcurrent = maxConcurrent;
			return this;
		}

		/**
		 * Set how many calls may wait for a permit; more are refused at once.
		 * @param maxQueue the bound, 0 for no waiting
		 * @return this builder
		 */
		public Builder maxQueue(int maxQueue) {
			Assert.isTrue(maxQueue >= 0, "maxQueue must not be negative");
			this.maxQueue = maxQueue;
			return this;
		}

		/**
		 * Set how long a call may wait for a permit.
		 * @param maxWait the wait, zero for none
		 * @return this builder
		 */
		public Builder maxWait(Duration maxWait) {
			Assert.isTrue(maxWait != null && !maxWait.isNegative(), "maxWait must not be negative");
			this.maxWait = maxWait;
			return this;
		}

		/**
		 * Set how many calls one user may run at once.
		 * @param perUser the cap, 0 for none
		 * @return this builder
		 */
		public Builder perUser(int perUser) {
			Assert.isTrue(perUser >= 0, "perUser must not be negative");
			this.perUser = perUser;
			return this;
		}

		/**
		 * Set how many calls one tenant may run at once.
		 * @param perTenant the cap, 0 for none
		 * @return this builder
		 */
		public Builder perTenant(int perTenant) {
			Assert.isTrue(perTenant >= 0, "perTenant must not be negative");
			this.perTenant = perTenant;
			return this;
		}

		/**
		 * Set how many permits only high-priority calls may take.
		 * @param reservedForHigh the permits, below {@code maxConcurrent}
		 * @return this builder
		 */
		public Builder reservedForHigh(int reservedForHigh) {
			Assert.isTrue(reservedForHigh >= 0, "reservedForHigh must not be negative");
			this.reservedForHigh = reservedForHigh;
			return this;
		}

		/**
		 * Create the Resilience4j bulkhead in this registry, so that Resilience4j's
		 * endpoint and metrics list it.
		 * @param registry the registry, or {@code null} for a standalone bulkhead
		 * @return this builder
		 */
		public Builder registry(@Nullable BulkheadRegistry registry) {
			this.registry = registry;
			return this;
		}

		public ConcurrencyBulkhead build() {
			Assert.isTrue(this.reservedForHigh < this.maxConcurrent,
					"reservedForHigh must be below maxConcurrent, or no other call could run");
			return new ConcurrencyBulkhead(this);
		}

	}

}
