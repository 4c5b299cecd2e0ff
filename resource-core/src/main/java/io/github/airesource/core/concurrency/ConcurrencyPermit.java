package io.github.airesource.core.concurrency;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.Condition;

import io.github.airesource.core.scope.CallScope;

import org.springframework.lang.Nullable;

/**
 * One call's claim on a {@link ConcurrencyBulkhead}: admitted (it holds a permit) or
 * waiting in the queue. Whichever way the call ends, {@link #close()} gives the permit
 * back or leaves the queue, exactly once; closing again does nothing.
 *
 * <p>
 * A blocking caller waits with {@link #await()}; a reactive one registers
 * {@link #onAdmitted(Runnable)} and, when it gives up, calls {@link #expire()} or
 * {@link #close()}.
 */
public final class ConcurrencyPermit implements AutoCloseable {

	enum State {

		WAITING, ADMITTED, CLOSED

	}

	private final ConcurrencyBulkhead bulkhead;

	private final ConcurrencyPriority priority;

	private final CallScope scope;

	/**
	 * When the call joined the queue, 0 for a call admitted at once. Written under the
	 * bulkhead's lock before the permit is queued.
	 */
	private long enqueuedNanos;

	// The fields below are guarded by the bulkhead's lock.

	/**
	 * Written with release and read with acquire ordering (through {@link #STATE}), so
	 * that isAdmitted() and await() can read it without the lock and whoever sees
	 * ADMITTED sees the time before it: the same guarantee as a volatile field without
	 * the full fence each volatile write costs (three per call).
	 */
	private State state = State.WAITING;

	/** When the call was admitted, 0 when it is not or its hold is not timed. */
	private long admittedNanos;

	@Nullable
	private Condition waiting;

	@Nullable
	private Runnable onAdmitted;

	/** The counters of the user's and the tenant's running calls this call counts in. */
	@Nullable
	private ScopeCounts.Count userCount;

	@Nullable
	private ScopeCounts.Count tenantCount;

	/**
	 * 1 once the wait is reported: through {@link #WAIT_REPORTED}, no object per call.
	 */
	private volatile int waitReported;

	private static final AtomicIntegerFieldUpdater<ConcurrencyPermit> WAIT_REPORTED = AtomicIntegerFieldUpdater
		.newUpdater(ConcurrencyPermit.class, "waitReported");

	private static final VarHandle STATE;

	static {
		try {
			STATE = MethodHandles.lookup().findVarHandle(ConcurrencyPermit.class, "state", State.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	ConcurrencyPermit(ConcurrencyBulkhead bulkhead, ConcurrencyPriority priority, CallScope scope) {
		this.bulkhead = bulkhead;
		this.priority = priority;
		this.scope = scope;
	}

	/**
	 * Return whether the call holds a permit now.
	 * @return {@code true} once admitted, until closed
	 */
	public boolean isAdmitted() {
		return state() == State.ADMITTED;
	}

	/**
	 * Wait until the call is admitted, at most the bulkhead's {@code max-wait} from when
	 * it entered. Returns at once when it is admitted already.
	 * @throws ConcurrencyLimitExceededException when no permit came in time; the call has
	 * left the queue
	 * @throws InterruptedException when the thread is interrupted while waiting; the call
	 * has left the queue (or given back the permit it got meanwhile)
	 */
	public void await() throws InterruptedException {
		this.bulkhead.await(this);
	}

	/**
	 * Run the action once the call is admitted: at once, on this thread, if it is
	 * already; else on the thread that hands it a permit (the thread that gave one back,
	 * possibly an event loop: the action must not block). Never runs for a call that left
	 * the queue.
	 * @param action what to run
	 */
	public void onAdmitted(Runnable action) {
		this.bulkhead.onAdmitted(this, action);
	}

	/**
	 * Give up waiting: the call leaves the queue and counts as refused.
	 * @return the refusal to throw, or {@code null} when the call was admitted meanwhile
	 * and may go on
	 */
	@Nullable
	public ConcurrencyLimitExceededException expire() {
		return this.bulkhead.expire(this);
	}

	/**
	 * Return how long the call waited for its permit.
	 * @return the wait, {@link Duration#ZERO} for a call admitted at once or not admitted
	 */
	public Duration waited() {
		long enqueued = this.enqueuedNanos;
		long admitted = this.admittedNanos;
		return (enqueued == 0 || admitted == 0) ? Duration.ZERO : Duration.ofNanos(admitted - enqueued);
	}

	/**
	 * Give the permit back, or leave the queue. Idempotent.
	 */
	@Override
	public void close() {
		this.bulkhead.close(this);
	}

	/**
	 * Close, telling whether the call was still waiting (so it never reached the model).
	 */
	boolean leave() {
		return this.bulkhead.close(this);
	}

	ConcurrencyPriority priority() {
		return this.priority;
	}

	CallScope scope() {
		return this.scope;
	}

	long enqueuedNanos() {
		return this.enqueuedNanos;
	}

	long admittedNanos() {
		return this.admittedNanos;
	}

	State state() {
		return (State) STATE.getAcquire(this);
	}

	/**
	 * Admit the call.
	 * @param nanos when, 0 for a call whose hold is not timed
	 */
	void admitted(long nanos) {
		// Written before the state is released, so that whoever sees the state sees the
		// time.
		this.admittedNanos = nanos;
		STATE.setRelease(this, State.ADMITTED);
	}

	/**
	 * Put the time the call joins the queue.
	 * @param nanos when
	 */
	void enqueued(long nanos) {
		// Never 0, which means "admitted at once"; a wait of 1ns less does not matter.
		this.enqueuedNanos = (nanos != 0) ? nanos : 1;
	}

	/**
	 * Return {@code true} the first time only: the wait of a call is reported once,
	 * whichever thread sees the admission first.
	 */
	boolean markWaitReported() {
		return WAIT_REPORTED.compareAndSet(this, 0, 1);
	}

	/**
	 * Keep the counters the admitted call counts in, so that its release needs no lookup.
	 */
	void counted(ScopeCounts.Count user, ScopeCounts.Count tenant) {
		this.userCount = user;
		this.tenantCount = tenant;
	}

	/**
	 * Count the released call out of its user's and tenant's counters.
	 */
	void releaseCounts(ScopeCounts users, ScopeCounts tenants) {
		if (this.userCount != null) {
			users.decrement(this.userCount);
		}
		else {
			users.decrement(this.scope.user());
		}
		if (this.tenantCount != null) {
			tenants.decrement(this.tenantCount);
		}
		else {
			tenants.decrement(this.scope.tenant());
		}
		this.userCount = null;
		this.tenantCount = null;
	}

	void closed() {
		STATE.setRelease(this, State.CLOSED);
	}

	@Nullable
	Condition waiting() {
		return this.waiting;
	}

	void waiting(Condition condition) {
		this.waiting = condition;
	}

	@Nullable
	Runnable takeOnAdmitted() {
		Runnable action = this.onAdmitted;
		this.onAdmitted = null;
		return action;
	}

	void onAdmittedAction(Runnable action) {
		this.onAdmitted = action;
	}

}
