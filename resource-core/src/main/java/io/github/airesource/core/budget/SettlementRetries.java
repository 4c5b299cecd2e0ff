package io.github.airesource.core.budget;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.github.airesource.core.redis.RedisUnavailableException;
import io.github.airesource.core.support.MonitorWait;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.lang.Nullable;

/**
 * Settles again, in the background, the budget settlements whose first attempt the store
 * failed, until the store takes them or they can no longer matter, so that a budget ends
 * up charged what its calls actually used also when Redis was down or slow as they ended.
 *
 * <p>
 * A retry is the same {@link BudgetStore#settle} of the same reservation, or, for a
 * settlement made with a partner that can send it again whole, the partner's
 * ({@link BudgetSettlement#settleAgain()}: the joint admission's, whose rate-limit
 * correction Redis applies only with the release of the reservation): the store's settle
 * is idempotent by reservation id (a settled reservation leaves nothing that a second
 * settle could charge), so a retry of a settle that did reach Redis but whose answer was
 * lost charges nothing more, and one that arrives after the lease ended still charges the
 * actual use once, since a store remembers a lease that ended unsettled for
 * {@link #LATE_SETTLEMENT_MEMORY} (the budget Lua script's and the memory store's
 * {@code EXPIRED_GRACE}); what the lease held has flowed back already and is not released
 * twice.
 *
 * <p>
 * <strong>When to give up</strong>: once the store has forgotten the reservation, its
 * lease plus {@link #LATE_SETTLEMENT_MEMORY} after it was made, a settle changes nothing,
 * so retrying longer could not matter; such a retry is abandoned. Until then a late
 * settlement charges the window it arrives in, as every settle does, so that the spend
 * over time is what the model billed. A deadline from the reservation rather than from
 * the failure, since the store's memory runs from the lease.
 *
 * <p>
 * <strong>Never in the caller's way</strong>: callers only queue ({@link #offer}); one
 * daemon thread, shared by every budget advisor of the JVM and started only when a
 * settlement fails, sends them in order. The queue is bounded ({@value #CAPACITY} per
 * advisor, as the usage writer's); a settlement that does not fit is abandoned and
 * counted. While the store keeps failing, the head of the queue is tried once per backoff
 * (from {@link #FIRST_BACKOFF}, doubling up to {@link #MAX_BACKOFF}) rather than every
 * queued settlement once per timeout; once it succeeds, the rest follow without waiting.
 * {@link #flush} sends what waits at shutdown; settlements still queued when the JVM
 * exits are lost, as their leases free what they held.
 *
 * <p>
 * Every settlement offered ends in exactly one of recovered or abandoned, and until then
 * it is pending. Thread-safe.
 */
final class SettlementRetries {

	private static final Log logger = LogFactory.getLog(SettlementRetries.class);

	/** Most settlements waiting for a retry, per advisor. */
	static final int CAPACITY = 10_000;

	/**
	 * How long a store remembers a lease that ended unsettled, so that a late settle
	 * still charges it: the budget script's and the memory store's one hour.
	 */
	static final Duration LATE_SETTLEMENT_MEMORY = Duration.ofHours(1);

	static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

	/**
	 * The longest wait between tries: short against a lease (minutes by default), so that
	 * a settlement reaches a Redis that is back while its reservation still holds what
	 * the call may have used; one try per wait costs a Redis that is down nothing.
	 */
	static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

	/** Retries in a row before the thread lets another advisor's retries have a turn. */
	private static final int BATCH = 100;

	private static final ScheduledThreadPoolExecutor EXECUTOR = executor();

	private final BudgetStore store;

	private final int capacity;

	// Guarded by this.

	private final ArrayDeque<Retry> queue = new ArrayDeque<>();

	/** Whether a drain is scheduled or running: at most one per advisor at a time. */
	private boolean draining;

	/** Read and written only by the drain, one at a time. */
	private long backoffNanos = FIRST_BACKOFF.toNanos();

	private final LongAdder recovered = new LongAdder();

	private final LongAdder abandoned = new LongAdder();

	SettlementRetries(BudgetStore store, int capacity) {
		this.store = store;
		this.capacity = capacity;
	}

	/**
	 * Queue a settlement to be retried; never blocks.
	 * @param retry the settlement
	 * @return whether it was queued; if not, it is counted as abandoned
	 */
	boolean offer(Retry retry) {
		boolean schedule;
		synchronized (this) {
			if (this.queue.size() >= this.capacity) {
				this.abandoned.increment();
				logger.warn("Budget settlement of reservation " + retry.reservationId() + " abandoned: " + this.capacity
						+ " settlements already wait for the store; what the call used is not charged");
				return false;
			}
			this.queue.addLast(retry);
			schedule = !this.draining;
			this.draining = true;
		}
		if (schedule) {
			EXECUTOR.schedule(this::drain, FIRST_BACKOFF.toNanos(), TimeUnit.NANOSECONDS);
		}
		return true;
	}

	long recovered() {
		return this.recovered.sum();
	}

	long abandoned() {
		return this.abandoned.sum();
	}

	synchronized long pending() {
		return this.queue.size();
	}

	/**
	 * Send the waiting settlements now rather than after the backoff, and wait until none
	 * is left or the time is up: for shutdown, while the store can still be reached.
	 * @param maxWait how long to wait at most
	 * @return whether none is left waiting
	 */
	boolean flush(Duration maxWait) {
		long deadline = System.nanoTime() + maxWait.toNanos();
		synchronized (this) {
			if (this.queue.isEmpty()) {
				return true;
			}
		}
		// The executor has one thread, so this drain never runs beside the scheduled one.
		EXECUTOR.execute(this::drain);
		synchronized (this) {
			return MonitorWait.until(this, this.queue::isEmpty, deadline);
		}
	}

	/**
	 * Retry queued settlements in order until the queue is empty or the store fails; then
	 * schedule itself again after the backoff. Only this removes from the queue, and only
	 * one drain runs at a time, so the head it looked at is still the head.
	 */
	private void drain() {
		for (int done = 0; done < BATCH; done++) {
			Retry retry;
			synchronized (this) {
				retry = this.queue.peekFirst();
				if (retry == null) {
					this.draining = false;
					return;
				}
			}
			if (System.nanoTime() - retry.deadlineNanos() > 0) {
				removeHead();
				this.abandoned.increment();
				logger.warn("Budget settlement of reservation " + retry.reservationId()
						+ " abandoned: the store did not take it before it forgot the reservation");
				continue;
			}
			try {
				BudgetSettlement partner = retry.partner();
				if (partner == null || !partner.settleAgain()) {
					this.store.settle(retry.reservationId(), retry.charges(), retry.tokens(), retry.costNanos(),
							retry.leaseTtl());
				}
			}
			catch (RedisUnavailableException ex) {
				long backoff = this.backoffNanos;
				this.backoffNanos = Math.min(backoff * 2, MAX_BACKOFF.toNanos());
				logger.debug("Budget settlement retry failed; trying again in " + Duration.ofNanos(backoff), ex);
				EXECUTOR.schedule(this::drain, backoff, TimeUnit.NANOSECONDS);
				return;
			}
			catch (RuntimeException ex) {
				// Not the store being away: trying again would fail the same way.
				removeHead();
				this.abandoned.increment();
				logger.warn("Budget settlement of reservation " + retry.reservationId() + " abandoned", ex);
				continue;
			}
			removeHead();
			this.recovered.increment();
			this.backoffNanos = FIRST_BACKOFF.toNanos();
		}
		EXECUTOR.execute(this::drain);
	}

	private synchronized void removeHead() {
		this.queue.pollFirst();
		if (this.queue.isEmpty()) {
			// A flush waits for this.
			notifyAll();
		}
	}

	private static ScheduledThreadPoolExecutor executor() {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "airesource-budget-settlements");
			thread.setDaemon(true);
			return thread;
		});
		// No thread until a settlement fails, and none once retries are over.
		executor.setKeepAliveTime(30, TimeUnit.SECONDS);
		executor.allowCoreThreadTimeOut(true);
		executor.setRemoveOnCancelPolicy(true);
		return executor;
	}

	/**
	 * One settlement to retry.
	 *
	 * @param reservationId the reservation
	 * @param charges the charges that were reserved
	 * @param tokens tokens the call used
	 * @param costNanos what the call cost
	 * @param leaseTtl the lease the reservation was made with
	 * @param deadlineNanos the {@link System#nanoTime()} after which the store has
	 * forgotten the reservation
	 * @param partner the partner's settlement the budget's was part of, which may send
	 * the whole settlement again ({@link BudgetSettlement#settleAgain()}); {@code null}
	 * when the budget settled alone
	 */
	record Retry(String reservationId, List<BudgetCharge> charges, long tokens, long costNanos, Duration leaseTtl,
			long deadlineNanos, @Nullable BudgetSettlement partner) {

		/**
		 * A settlement of a reservation made at a given time.
		 * @param reservedAtNanos the {@link System#nanoTime()} when it was reserved
		 */
		static Retry of(String reservationId, List<BudgetCharge> charges, long tokens, long costNanos,
				Duration leaseTtl, long reservedAtNanos, @Nullable BudgetSettlement partner) {
			return new Retry(reservationId, charges, tokens, costNanos, leaseTtl,
					reservedAtNanos + leaseTtl.toNanos() + LATE_SETTLEMENT_MEMORY.toNanos(), partner);
		}

	}

}
