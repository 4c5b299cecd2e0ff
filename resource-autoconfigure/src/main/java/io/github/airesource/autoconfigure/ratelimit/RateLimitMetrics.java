package io.github.airesource.autoconfigure.ratelimit;

import io.github.airesource.core.ratelimit.RateLimitAdvisor;
import io.github.airesource.core.ratelimit.RateLimitRejection;
import io.github.airesource.core.ratelimit.RateLimits;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The rate-limit meters: {@code ai.resource.limit.wait} (timer, tag
 * {@code kind=rate-limit}: how long admitted calls waited for capacity or a provider's
 * reset), {@code ai.resource.rate-limit.rejections} (tag {@code reason}),
 * {@code ai.resource.rate-limit.fail-open}, {@code ai.resource.rate-limit.provider.holds}
 * (holds providers imposed) and {@code ai.resource.rate-limit.provider.held} (models held
 * now). Refused calls are also counted in {@code ai.resource.calls{outcome=rejected}} by
 * the usage recorder.
 */
final class RateLimitMetrics {

	private RateLimitMetrics() {
	}

	static void bind(RateLimitAdvisor advisor, RateLimitWaits waits, MeterRegistry registry) {
		Timer timer = Timer.builder("ai.resource.limit.wait")
			.description("Time calls waited for a limit before going on")
			.tag("kind", "rate-limit")
			.register(registry);
		waits.bindTo(timer::record);
		for (RateLimitRejection reason : RateLimitRejection.values()) {
			FunctionCounter
				.builder("ai.resource.rate-limit.rejections", advisor, (limiter) -> limiter.rejections(reason))
				.description("Calls the rate limits refused")
				.tag("reason", reason.value())
				.register(registry);
		}
		FunctionCounter.builder("ai.resource.rate-limit.fail-open", advisor, RateLimitAdvisor::failOpenCalls)
			.description("Calls let through without a rate-limit check because the store failed (fail-open)")
			.register(registry);
		RateLimits limits = advisor.rateLimits();
		FunctionCounter.builder("ai.resource.rate-limit.provider.holds", limits, (all) -> all.providerHolds().imposed())
			.description("Holds model providers imposed with a 429 or an exhausted x-ratelimit header")
			.register(registry);
		Gauge.builder("ai.resource.rate-limit.provider.held", limits, (all) -> all.currentProviderHolds().size())
			.description("Models whose calls are held now because their provider is out of capacity")
			.register(registry);
	}

}
