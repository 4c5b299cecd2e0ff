package io.github.airesource.core.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.github.airesource.core.support.RequestContexts;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.ai.chat.client.ChatClientRequest;

/**
 * Tells advisors outside the usage advisor what their call used, on every way the call
 * ends: the budget advisor settles its reservation from it. An advisor registers an
 * observer in the request context before passing the request on; the usage advisor hands
 * each call's {@link UsageRecord} to the observers it finds there, right after recording
 * it, on the thread that ends the call. The observers are kept in one object that the
 * context refers to, so they stay reachable when an advisor in between copies the
 * context.
 */
public final class UsageObservers {

	static final String CONTEXT_KEY = "ai.resource.usage-observers";

	private static final Log logger = LogFactory.getLog(UsageObservers.class);

	// Almost always one observer (the budget advisor): a small list, copied on the rare
	// add.
	private volatile List<Consumer<UsageRecord>> observers = List.of();

	private UsageObservers() {
	}

	/**
	 * Have an observer told of the call's usage.
	 * @param request the request that will be passed on
	 * @param observer the observer; it must be quick and must not throw
	 * @return whether it was registered; {@code false} when the request's context is
	 * read-only
	 */
	public static boolean register(ChatClientRequest request, Consumer<UsageRecord> observer) {
		Object known = request.context().get(CONTEXT_KEY);
		UsageObservers observers;
		if (known instanceof UsageObservers existing) {
			observers = existing;
		}
		else {
			observers = new UsageObservers();
			if (!RequestContexts.putIfPossible(request, CONTEXT_KEY, observers)) {
				return false;
			}
		}
		observers.add(observer);
		return true;
	}

	private synchronized void add(Consumer<UsageRecord> observer) {
		List<Consumer<UsageRecord>> more = new ArrayList<>(this.observers);
		more.add(observer);
		this.observers = List.copyOf(more);
	}

	/**
	 * Tell the request's observers of its usage.
	 * @param request the request as the usage advisor received it
	 * @param record the recorded usage
	 */
	static void notify(ChatClientRequest request, UsageRecord record) {
		if (request.context().get(CONTEXT_KEY) instanceof UsageObservers observers) {
			for (Consumer<UsageRecord> observer : observers.observers) {
				try {
					observer.accept(record);
				}
				catch (RuntimeException ex) {
					// Accounting must never fail the call it accounts for.
					logger.warn("Usage observer " + observer + " failed", ex);
				}
			}
		}
	}

}
