package io.github.airesource.core.scope;

import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.util.Assert;

/**
 * Runs a {@link ScopeResolver} so that it can never fail the call it attributes:
 * accounting must not break what it accounts for. A resolver that throws (a missing
 * principal, a request scope that is not active) makes the call {@link CallScope#NONE
 * anonymous}; the failure is counted ({@link #failures()}, published as the
 * {@code ai.resource.scope.failures} meter by the starter) and logged as a warning once
 * per exception type, so that a resolver failing on every call does not flood the log.
 * Thread-safe; share one instance between the advisors of an application so that the
 * count covers them all.
 */
public final class ScopeResolution {

	private static final Log logger = LogFactory.getLog(ScopeResolution.class);

	/** Exception types already warned about: bounded, a resolver may throw anything. */
	private final Cache<String, Boolean> warned = Caffeine.newBuilder().maximumSize(64).build();

	private final LongAdder failures = new LongAdder();

	private final ScopeResolver resolver;

	public ScopeResolution(ScopeResolver resolver) {
		Assert.notNull(resolver, "resolver must not be null");
		this.resolver = resolver;
	}

	/**
	 * Resolve the scope of a call. Every call resolves anew; {@link CallScopes} keeps the
	 * result for the other advisors of the call.
	 * @param request the request
	 * @return the scope; {@link CallScope#NONE} when the resolver failed or returned
	 * {@code null}
	 */
	public CallScope resolve(ChatClientRequest request) {
		CallScope scope;
		try {
			scope = this.resolver.resolve(request);
		}
		catch (RuntimeException ex) {
			this.failures.increment();
			String type = ex.getClass().getName();
			if (this.warned.asMap().putIfAbsent(type, Boolean.TRUE) == null) {
				logger.warn(
						"The ScopeResolver failed with " + type + ": the call is counted as anonymous. "
								+ "Further failures of this type are only counted (meter ai.resource.scope.failures).",
						ex);
			}
			return CallScope.NONE;
		}
		return (scope != null) ? scope : CallScope.NONE;
	}

	/**
	 * Return how many times the resolver failed since this resolution was created.
	 * @return the count of failed resolutions
	 */
	public long failures() {
		return this.failures.sum();
	}

}
