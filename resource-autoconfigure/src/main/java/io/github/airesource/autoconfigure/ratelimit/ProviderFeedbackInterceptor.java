package io.github.airesource.autoconfigure.ratelimit;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.airesource.core.ratelimit.ProviderHolds;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.lang.Nullable;

/**
 * Sees the raw responses of blocking model calls (Spring AI's {@code RestClient}) so that
 * a 429's {@code Retry-After}, which Spring AI's error handler drops, and
 * {@code x-ratelimit-remaining-*: 0} hold further calls to the model in
 * {@link ProviderHolds}.
 *
 * <p>
 * The model is read from the request body's top-level {@code model} field, and only when
 * the response asks for a hold, so ordinary responses cost one status check and two
 * header lookups. A request without a JSON {@code model} field is not a model call (the
 * application's own use of the {@code RestClient.Builder}) and is never held on.
 */
public final class ProviderFeedbackInterceptor implements ClientHttpRequestInterceptor {

	private static final Log logger = LogFactory.getLog(ProviderFeedbackInterceptor.class);

	private static final JsonFactory JSON = new JsonFactory();

	private final ProviderHolds holds;

	public ProviderFeedbackInterceptor(ProviderHolds holds) {
		this.holds = holds;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		ClientHttpResponse response = execution.execute(request, body);
		try {
			int status = response.getStatusCode().value();
			HttpHeaders headers = response.getHeaders();
			if (status == 429 || ProviderResponses.exhaustedReset(headers) != null) {
				String model = modelOf(body);
				if (model != null) {
					ProviderResponses.observe(this.holds, status, headers, model);
				}
			}
		}
		catch (RuntimeException | IOException ex) {
			// Feedback is advice: never fail the call over it.
			logger.debug("Could not read the provider's rate-limit answer", ex);
		}
		return response;
	}

	@Nullable
	static String modelOf(byte[] body) throws IOException {
		if (body.length == 0) {
			return null;
		}
		try (JsonParser parser = JSON.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return null;
			}
			while (parser.nextToken() == JsonToken.FIELD_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("model".equals(field) && value == JsonToken.VALUE_STRING) {
					return parser.getText();
				}
				parser.skipChildren();
			}
		}
		catch (com.fasterxml.jackson.core.JsonParseException ex) {
			return null;
		}
		return null;
	}

}
