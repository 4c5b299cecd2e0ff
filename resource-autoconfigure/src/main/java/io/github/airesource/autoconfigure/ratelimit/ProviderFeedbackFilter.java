package io.github.airesource.autoconfigure.ratelimit;

import io.github.airesource.core.ratelimit.ProviderHolds;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Sees the raw responses of streaming model calls (Spring AI's {@code WebClient}) so that
 * a 429's {@code Retry-After} and {@code x-ratelimit-remaining-*: 0} hold further calls
 * to the model in {@link ProviderHolds}.
 *
 * <p>
 * A filter cannot read the request body, so the rate-limit advisor passes the model of
 * the call in the Reactor context ({@value ProviderHolds#MODEL_CONTEXT_KEY}); exchanges
 * without it are not model calls made through the advisor and are left alone.
 */
public final class ProviderFeedbackFilter implements ExchangeFilterFunction {

	private static final Log logger = LogFactory.getLog(ProviderFeedbackFilter.class);

	private final ProviderHolds holds;

	public ProviderFeedbackFilter(ProviderHolds holds) {
		this.holds = holds;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return Mono.deferContextual((context) -> {
			Mono<ClientResponse> exchange = next.exchange(request);
			String model = context.getOrDefault(ProviderHolds.MODEL_CONTEXT_KEY, null);
			if (model == null) {
				return exchange;
			}
			return exchange.doOnNext((response) -> {
				try {
					ProviderResponses.observe(this.holds, response.statusCode().value(),
							response.headers().asHttpHeaders(), model);
				}
				catch (RuntimeException ex) {
					logger.debug("Could not read the provider's rate-limit answer", ex);
				}
			});
		});
	}

}
