package io.github.airesource.core.support;

import org.springframework.ai.chat.client.ChatClientResponse;

/**
 * Adds values to a response's context for the application to read.
 */
public final class ResponseContexts {

	private ResponseContexts() {
	}

	/**
	 * Return the response with a value in its context: the response itself when its
	 * context accepts writes, else a copy. Spring AI's builders and {@code mutate()} give
	 * every response a context map of its own, built for this call, so writing to it
	 * shares nothing; copying the response to add one key copied the whole map on every
	 * call. A read-only context (built by hand) gets the copy.
	 * @param response the response
	 * @param key the context key
	 * @param value the value, not {@code null}
	 * @return the response that holds the value
	 */
	public static ChatClientResponse with(ChatClientResponse response, String key, Object value) {
		try {
			response.context().put(key, value);
			return response;
		}
		catch (UnsupportedOperationException ex) {
			return response.mutate().context(key, value).build();
		}
	}

}
