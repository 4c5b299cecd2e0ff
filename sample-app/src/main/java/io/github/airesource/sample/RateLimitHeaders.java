package io.github.airesource.sample;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimitState;
import io.github.airesource.core.ratelimit.RateLimitStatus;

import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.http.HttpHeaders;

/**
 * The {@code RateLimit} and {@code RateLimit-Policy} headers of the IETF draft "RateLimit
 * header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers), from the rate-limit
 * state the starter puts in the response context: the limit that applied to the call with
 * the least left, what is left of it and when it is full again, so that a client can slow
 * down before it is refused.
 */
final class RateLimitHeaders {

	static final String RATE_LIMIT = "RateLimit";

	static final String RATE_LIMIT_POLICY = "RateLimit-Policy";

	private RateLimitHeaders() {
	}

	static HttpHeaders of(ChatClientResponse response) {
		HttpHeaders headers = new HttpHeaders();
		if (response.context().get(ResourceContextKeys.RATE_LIMIT) instanceof RateLimitStatus status) {
			status.mostConstrained().ifPresent((state) -> {
				String name = "\"" + state.limit() + "\"";
				headers.add(RATE_LIMIT_POLICY, name + ";q=" + quota(state, state.capacity()) + ";w="
						+ state.period().toSeconds() + unit(state));
				headers.add(RATE_LIMIT, name + ";r=" + quota(state, state.remaining()) + ";t="
						+ ceilSeconds(state.resetAfter().toMillis()));
			});
		}
		return headers;
	}

	/** Costs are kept in nano-dollars; a header in micro-dollars stays an integer. */
	private static long quota(RateLimitState state, long value) {
		return (state.dimension() == RateDimension.COST) ? value / 1000 : value;
	}

	private static String unit(RateLimitState state) {
		return switch (state.dimension()) {
			case REQUESTS -> "";
			case TOKENS -> ";qu=\"tokens\"";
			case COST -> ";qu=\"usd-micros\"";
		};
	}

	private static long ceilSeconds(long millis) {
		return (millis + 999) / 1000;
	}

}
