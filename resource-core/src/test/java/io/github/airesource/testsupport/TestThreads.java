package io.github.airesource.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs test work on platform threads or on virtual threads, so that a test can show the
 * same behaviour on both.
 */
public final class TestThreads {

	private TestThreads() {
	}

	/**
	 * Run work on a fixed pool of platform threads, shut down afterwards.
	 * @param threads the pool size
	 * @param work what to run on the pool
	 * @throws Exception whatever the work throws
	 */
	public static void onPlatformThreads(int threads, Work work) throws Exception {
		run(Executors.newFixedThreadPool(threads), work);
	}

	/**
	 * Run work with a virtual thread per task, shut down afterwards. Needs Java 21 or
	 * later: mark the test {@code @EnabledForJreRange(min = JRE.JAVA_21)}.
	 * @param work what to run on virtual threads
	 * @throws Exception whatever the work throws
	 */
	public static void onVirtualThreads(Work work) throws Exception {
		// Looked up reflectively: the library and its tests compile for Java 17.
		run((ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null), work);
	}

	/**
	 * Start tasks on as many platform threads at the same moment, as racing callers do,
	 * and wait for all of them.
	 * @param threads how many threads, one task each
	 * @param task the task of a thread, by its number; it answers whether it succeeded
	 * @return how many tasks succeeded
	 * @throws Exception whatever a task throws
	 */
	public static int race(int threads, IntFunction<Callable<Boolean>> task) throws Exception {
		AtomicInteger succeeded = new AtomicInteger();
		onPlatformThreads(threads, (executor) -> {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				Callable<Boolean> one = task.apply(i);
				running.add(executor.submit(() -> {
					start.await();
					if (one.call()) {
						succeeded.incrementAndGet();
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> each : running) {
				each.get(60, TimeUnit.SECONDS);
			}
		});
		return succeeded.get();
	}

	private static void run(ExecutorService executor, Work work) throws Exception {
		try {
			work.run(executor);
		}
		finally {
			executor.shutdownNow();
		}
	}

	/**
	 * Test work that submits tasks to an executor.
	 */
	@FunctionalInterface
	public interface Work {

		/**
		 * Run the work.
		 * @param executor where to submit tasks
		 * @throws Exception when the work fails
		 */
		void run(ExecutorService executor) throws Exception;

	}

}
