package io.github.airesource.core.cache;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Lets concurrent identical loads on one instance share one result: the first caller of
 * {@link #join} for a key becomes the leader and loads; callers that join while the load
 * is in flight wait for the leader's result instead of loading again. The leader ends the
 * flight with a value ({@code null} allowed, meaning "nothing to share") or an error, and
 * every waiter wakes with it; the key is free again at once, so a failed load is never
 * remembered. Lock-free: one {@link ConcurrentHashMap} entry per key in flight.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class SingleFlight<K, V> {

	private final ConcurrentHashMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();

	private final AtomicLong landings = new AtomicLong();

	/**
	 * Join the flight of a key, starting it if none is in flight.
	 * @param key the key
	 * @return the flight; {@link Flight#leader()} tells whether the caller must load
	 */
	public Flight<K, V> join(K key) {
		Assert.notNull(key, "key must not be null");
		CompletableFuture<V> mine = new CompletableFuture<>();
		CompletableFuture<V> existing = this.flights.putIfAbsent(key, mine);
		return (existing != null) ? new Flight<>(this, key, existing, false) : new Flight<>(this, key, mine, true);
	}

	/**
	 * Return how many flights have ended, of any key. A caller that read this before
	 * looking a key up and finds it unchanged after it became a leader knows that no
	 * flight ended in between, so no result was stored after its lookup: a flight ends
	 * only after its result is stored, and its key is freed after this count has grown.
	 * @return the number of flights ended since creation
	 */
	public long landings() {
		return this.landings.get();
	}

	/**
	 * Return how many keys are in flight.
	 * @return the count
	 */
	public int inFlight() {
		return this.flights.size();
	}

	/**
	 * One caller's part in a flight.
	 *
	 * @param <K> the key type
	 * @param <V> the value type
	 */
	public static final class Flight<K, V> {

		private final SingleFlight<K, V> owner;

		private final K key;

		private final CompletableFuture<V> result;

		private final boolean leader;

		private Flight(SingleFlight<K, V> owner, K key, CompletableFuture<V> result, boolean leader) {
			this.owner = owner;
			this.key = key;
			this.result = result;
			this.leader = leader;
		}

		/**
		 * Whether this caller started the flight and must load.
		 * @return whether this caller is the leader
		 */
		public boolean leader() {
			return this.leader;
		}

		/**
		 * End the flight with a value and wake every waiter; only the leader's first call
		 * counts.
		 * @param value the value, {@code null} for nothing to share
		 */
		public void complete(@Nullable V value) {
			if (this.leader) {
				// Free the key first: a caller arriving now starts a new flight rather
				// than joining one that has ended.
				this.owner.landings.incrementAndGet();
				this.owner.flights.remove(this.key, this.result);
				this.result.complete(value);
			}
		}

		/**
		 * End the flight with an error and wake every waiter with it; only the leader's
		 * first call counts.
		 * @param error what the load failed with
		 */
		public void fail(Throwable error) {
			if (this.leader) {
				this.owner.landings.incrementAndGet();
				this.owner.flights.remove(this.key, this.result);
				this.result.completeExceptionally(error);
			}
		}

		/**
		 * Wait for the leader's result.
		 * @return the value, {@code null} when the leader had nothing to share
		 * @throws RuntimeException the leader's error, as it was thrown, or a
		 * {@link CancellationException} when interrupted
		 */
		@Nullable
		public V await() {
			try {
				return this.result.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				CancellationException cancelled = new CancellationException(
						"Interrupted while waiting for an identical call in flight");
				cancelled.initCause(ex);
				throw cancelled;
			}
			catch (ExecutionException ex) {
				Throwable cause = ex.getCause();
				if (cause instanceof RuntimeException runtime) {
					throw runtime;
				}
				if (cause instanceof Error error) {
					throw error;
				}
				throw new IllegalStateException(cause);
			}
		}

		/**
		 * Return the leader's result for a non-blocking waiter. Completing or cancelling
		 * it is the leader's business: wrap it (for example
		 * {@code Mono.fromFuture(future, true)}) so a waiter that cancels leaves it be.
		 * @return the result
		 */
		public CompletableFuture<V> future() {
			return this.result;
		}

	}

}
