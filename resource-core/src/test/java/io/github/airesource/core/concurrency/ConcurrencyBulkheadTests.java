package io.github.airesource.core.concurrency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeType;
import io.github.airesource.testsupport.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The bulkhead's queue: priorities, order, caps, reservation, bounds, and that every
 * permit comes back.
 */
class ConcurrencyBulkheadTests {

	private static final CallScope ALICE = CallScope.of("acme", "alice", null);

	private static final CallScope BOB = CallScope.of("acme", "bob", null);

	private static final CallScope CAROL = CallScope.of("globex", "carol", null);

	@Test
	void whenTheBulkheadIsFullThenAHighPriorityCallQueuedAfterTenLowOnesIsAdmittedFirst() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).build();
		ConcurrencyPermit running = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		List<String> admitted = new CopyOnWriteArrayList<>();
		List<ConcurrencyPermit> low = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			ConcurrencyPermit permit = bulkhead.enter(ConcurrencyPriority.LOW, ALICE);
			String name = "low-" + i;
			permit.onAdmitted(() -> admitted.add(name));
			low.add(permit);
		}
		ConcurrencyPermit high = bulkhead.enter(ConcurrencyPriority.HIGH, ALICE);
		high.onAdmitted(() -> admitted.add("high"));
		assertThat(bulkhead.snapshot().queued()).isEqualTo(new ConcurrencySnapshot.Queued(1, 0, 10));

		running.close();
		assertThat(admitted).containsExactly("high");
		assertThat(low).noneMatch(ConcurrencyPermit::isAdmitted);

		high.close();
		assertThat(admitted).containsExactly("high", "low-0");
	}

	@Test
	void whenCallsOfOnePriorityWaitThenTheyAreAdmittedInArrivalOrder() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).build();
		ConcurrencyPermit running = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		List<Integer> admitted = new CopyOnWriteArrayList<>();
		List<ConcurrencyPermit> waiting = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			int number = i;
			ConcurrencyPermit permit = bulkhead.enter(ConcurrencyPriority.NORMAL, (i % 2 == 0) ? BOB : CAROL);
			permit.onAdmitted(() -> admitted.add(number));
			waiting.add(permit);
		}

		running.close();
		for (ConcurrencyPermit permit : waiting) {
			permit.close();
		}

		assertThat(admitted).containsExactly(0, 1, 2, 3, 4);
	}

	@Test
	void whenPermitsAreReservedForHighThenLowerPrioritiesNeverTakeThem() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(3).reservedForHigh(1).build();
		ConcurrencyPermit first = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		bulkhead.enter(ConcurrencyPriority.LOW, BOB);

		ConcurrencyPermit normal = bulkhead.enter(ConcurrencyPriority.NORMAL, CAROL);
		assertThat(normal.isAdmitted()).as("the last free permit is reserved").isFalse();
		assertThat(bulkhead.snapshot().available()).isEqualTo(1);

		ConcurrencyPermit high = bulkhead.enter(ConcurrencyPriority.HIGH, CAROL);
		assertThat(high.isAdmitted()).isTrue();

		high.close();
		assertThat(normal.isAdmitted()).as("a freed reserved permit stays reserved").isFalse();
		first.close();
		assertThat(normal.isAdmitted()).isTrue();
	}

	@Test
	void whenAUserIsAtItsCapThenOtherUsersQueuedBehindItAreAdmitted() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(2).perUser(1).build();
		ConcurrencyPermit alice = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		ConcurrencyPermit carol = bulkhead.enter(ConcurrencyPriority.NORMAL, CAROL);
		ConcurrencyPermit aliceAgain = bulkhead.enter(ConcurrencyPriority.HIGH, ALICE);
		ConcurrencyPermit bob = bulkhead.enter(ConcurrencyPriority.NORMAL, BOB);

		carol.close();
		assertThat(aliceAgain.isAdmitted()).as("alice is at her cap").isFalse();
		assertThat(bob.isAdmitted()).as("bob is not held up behind alice").isTrue();
		assertThat(bulkhead.snapshot().users()).isEqualTo(new ConcurrencySnapshot.ScopeActivity(1, 2, 2));

		alice.close();
		assertThat(aliceAgain.isAdmitted()).isTrue();
	}

	@Test
	void whenATenantIsAtItsCapThenItsNextCallWaitsAndIsRefusedAsPerTenantWhenTheWaitRunsOut() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(5)
			.perTenant(1)
			.maxWait(Duration.ofMillis(50))
			.build();
		bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);

		assertThatThrownBy(() -> bulkhead.acquire(ConcurrencyPriority.NORMAL, BOB))
			.isInstanceOfSatisfying(ConcurrencyLimitExceededException.class, (ex) -> {
				assertThat(ex.limitName()).isEqualTo("per-tenant");
				assertThat(ex.scope()).isEqualTo(ScopeType.TENANT);
			});
		assertThat(bulkhead.enter(ConcurrencyPriority.NORMAL, CAROL).isAdmitted()).isTrue();
		assertThat(bulkhead.snapshot().rejections().perTenant()).isEqualTo(1);
	}

	@Test
	void whenTheQueueIsFullThenTheNextCallIsRefusedAtOnce() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).maxQueue(2).build();
		bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		bulkhead.enter(ConcurrencyPriority.NORMAL, BOB);
		bulkhead.enter(ConcurrencyPriority.LOW, CAROL);

		assertThatThrownBy(() -> bulkhead.enter(ConcurrencyPriority.HIGH, CAROL))
			.isInstanceOfSatisfying(ConcurrencyLimitExceededException.class, (ex) -> {
				assertThat(ex.limitName()).isEqualTo("max-queue");
				assertThat(ex.scope()).isEqualTo(ScopeType.GLOBAL);
				assertThat(ex.retryAfter()).as("no call has finished, so no estimate").isEmpty();
			});
		ConcurrencySnapshot snapshot = bulkhead.snapshot();
		assertThat(snapshot.queued().total()).isEqualTo(2);
		assertThat(snapshot.rejections()).isEqualTo(new ConcurrencySnapshot.Rejections(1, 0, 0, 0));
		assertThat(bulkhead.lastRejection(ConcurrencyLimitExceededException.MAX_QUEUE)).isNotNull();
		assertThat(bulkhead.lastRejection(ConcurrencyLimitExceededException.MAX_WAIT)).isNull();
	}

	@Test
	void whenCallsHaveFinishedThenARefusalSuggestsWhenToRetry() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).maxQueue(0).build();
		bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE).close();
		bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);

		assertThatThrownBy(() -> bulkhead.enter(ConcurrencyPriority.NORMAL, BOB)).isInstanceOfSatisfying(
				ConcurrencyLimitExceededException.class,
				(ex) -> assertThat(ex.retryAfter()).contains(Duration.ofSeconds(1)));
	}

	@Test
	void whenNoPermitComesWithinMaxWaitThenTheWaiterIsRefusedAndLeavesTheQueue() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(1)
			.maxWait(Duration.ofMillis(50))
			.build();
		ConcurrencyPermit running = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);

		assertThatThrownBy(() -> bulkhead.acquire(ConcurrencyPriority.NORMAL, BOB)).isInstanceOfSatisfying(
				ConcurrencyLimitExceededException.class, (ex) -> assertThat(ex.limitName()).isEqualTo("max-wait"));

		assertThat(bulkhead.snapshot().queued().total()).isZero();
		running.close();
		assertThat(bulkhead.snapshot().available()).isEqualTo(1);
	}

	@Test
	void whenMaxWaitIsZeroThenACallWithoutAPermitIsRefusedAtOnceAndAUserAtItsCapAsPerUser() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(2)
			.perUser(1)
			.maxWait(Duration.ZERO)
			.build();
		bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);

		assertThatThrownBy(() -> bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE))
			.isInstanceOfSatisfying(ConcurrencyLimitExceededException.class, (ex) -> {
				assertThat(ex.limitName()).isEqualTo("per-user");
				assertThat(ex.scope()).isEqualTo(ScopeType.USER);
			});
		bulkhead.enter(ConcurrencyPriority.NORMAL, BOB);
		assertThatThrownBy(() -> bulkhead.enter(ConcurrencyPriority.NORMAL, CAROL)).isInstanceOfSatisfying(
				ConcurrencyLimitExceededException.class, (ex) -> assertThat(ex.limitName()).isEqualTo("max-wait"));
	}

	@Test
	void whenAWaitingCallIsClosedThenItLeavesTheQueueAndNeverGetsAPermit() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).build();
		ConcurrencyPermit running = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		ConcurrencyPermit waiting = bulkhead.enter(ConcurrencyPriority.NORMAL, BOB);
		AtomicInteger admissions = new AtomicInteger();
		waiting.onAdmitted(admissions::incrementAndGet);

		waiting.close();
		running.close();

		assertThat(admissions).hasValue(0);
		assertThat(waiting.isAdmitted()).isFalse();
		ConcurrencySnapshot snapshot = bulkhead.snapshot();
		assertThat(snapshot.active()).isZero();
		assertThat(snapshot.available()).isEqualTo(1);
		assertThat(snapshot.queued().total()).isZero();
	}

	@Test
	void whenAPermitIsClosedTwiceThenItIsGivenBackOnce() {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(2).build();
		ConcurrencyPermit first = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		bulkhead.enter(ConcurrencyPriority.NORMAL, BOB);

		first.close();
		first.close();

		assertThat(bulkhead.snapshot().available()).isEqualTo(1);
		assertThat(bulkhead.resilience4jBulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
	}

	@Test
	void whenAWaitingThreadIsInterruptedThenItLeavesTheQueue() throws Exception {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).build();
		ConcurrencyPermit running = bulkhead.enter(ConcurrencyPriority.NORMAL, ALICE);
		TestThreads.onPlatformThreads(1, (executor) -> {
			Future<?> waiter = executor.submit(() -> bulkhead.acquire(ConcurrencyPriority.NORMAL, BOB));
			await().atMost(Duration.ofSeconds(10)).until(() -> bulkhead.snapshot().queued().total() == 1);

			waiter.cancel(true);

			await().atMost(Duration.ofSeconds(10)).until(() -> bulkhead.snapshot().queued().total() == 0);
		});
		running.close();
		assertThat(bulkhead.snapshot().active()).isZero();
		assertThat(bulkhead.snapshot().available()).isEqualTo(1);
	}

	@Test
	void whenACallWaitsThenItsWaitIsReportedOnceAndACallAdmittedAtOnceReportsZero() throws Exception {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder().maxConcurrent(1).build();
		List<Duration> waits = new CopyOnWriteArrayList<>();
		bulkhead.addWaitListener(waits::add);
		ConcurrencyPermit running = bulkhead.acquire(ConcurrencyPriority.NORMAL, ALICE);
		ConcurrencyPermit waiting = bulkhead.enter(ConcurrencyPriority.NORMAL, BOB);

		running.close();
		waiting.await();

		assertThat(waits).hasSize(2);
		assertThat(waits.get(0)).isZero();
		assertThat(waits.get(1)).isPositive();
	}

	@Test
	void whenARegistryIsGivenThenTheBulkheadIsCreatedThere() {
		BulkheadRegistry registry = BulkheadRegistry.ofDefaults();
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.name("chat")
			.maxConcurrent(7)
			.registry(registry)
			.build();

		assertThat(registry.find("chat")).containsSame(bulkhead.resilience4jBulkhead());
		assertThat(bulkhead.resilience4jBulkhead().getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(7);
		assertThat(bulkhead.snapshot().name()).isEqualTo("chat");
	}

	@Test
	void whenThePriorityParameterIsUnknownThenItIsNormal() {
		assertThat(ConcurrencyPriority.of("HIGH")).isEqualTo(ConcurrencyPriority.HIGH);
		assertThat(ConcurrencyPriority.of(" low ")).isEqualTo(ConcurrencyPriority.LOW);
		assertThat(ConcurrencyPriority.of("urgent")).isEqualTo(ConcurrencyPriority.NORMAL);
		assertThat(ConcurrencyPriority.of(null)).isEqualTo(ConcurrencyPriority.NORMAL);
	}

	@Test
	void whenManyPlatformThreadsMixCallsCancellationsAndTimeoutsThenEveryPermitComesBack() throws Exception {
		TestThreads.onPlatformThreads(16, this::randomMix);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void whenManyVirtualThreadsMixCallsCancellationsAndTimeoutsThenEveryPermitComesBack() throws Exception {
		TestThreads.onVirtualThreads(this::randomMix);
	}

	private void randomMix(ExecutorService executor) throws Exception {
		ConcurrencyBulkhead bulkhead = ConcurrencyBulkhead.builder()
			.maxConcurrent(4)
			.maxQueue(8)
			.maxWait(Duration.ofMillis(5))
			.perUser(2)
			.reservedForHigh(1)
			.build();
		AtomicInteger holding = new AtomicInteger();
		AtomicInteger mostHolding = new AtomicInteger();
		CallScope[] scopes = { ALICE, BOB, CAROL, CallScope.NONE };
		Random random = new Random(42);
		List<Future<?>> calls = new ArrayList<>();
		for (int i = 0; i < 2000; i++) {
			ConcurrencyPriority priority = ConcurrencyPriority.values()[random.nextInt(3)];
			CallScope scope = scopes[random.nextInt(scopes.length)];
			int kind = random.nextInt(3);
			int work = random.nextInt(200);
			calls.add(executor.submit(() -> {
				ConcurrencyPermit permit;
				try {
					permit = (kind == 2) ? bulkhead.enter(priority, scope) : bulkhead.acquire(priority, scope);
				}
				catch (ConcurrencyLimitExceededException | InterruptedException ex) {
					return null;
				}
				try {
					if (permit.isAdmitted()) {
						mostHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
						busy(work);
						holding.decrementAndGet();
					}
				}
				finally {
					// kind 2: a reactive caller that gives up while waiting
					permit.close();
				}
				return null;
			}));
		}
		for (int i = 0; i < calls.size(); i++) {
			if (i % 7 == 0) {
				calls.get(i).cancel(true);
			}
		}
		for (Future<?> call : calls) {
			try {
				call.get(30, TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.CancellationException ex) {
				// cancelled above
			}
			catch (TimeoutException ex) {
				throw new AssertionError("a call never ended", ex);
			}
		}

		assertThat(mostHolding.get()).isLessThanOrEqualTo(4);
		ConcurrencySnapshot snapshot = bulkhead.snapshot();
		assertThat(snapshot.active()).isZero();
		assertThat(snapshot.queued().total()).isZero();
		assertThat(snapshot.available()).isEqualTo(4);
		assertThat(snapshot.users().activeKeys()).isZero();
		assertThat(snapshot.tenants().activeKeys()).isZero();
	}

	private static void busy(int iterations) {
		for (int i = 0; i < iterations; i++) {
			Thread.onSpinWait();
		}
	}

}
