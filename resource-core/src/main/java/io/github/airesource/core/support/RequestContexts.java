package io.github.airesource.core.support;

import org.springframework.ai.chat.client.ChatClientRequest;

/**
 * Stores values that one advisor computes for the others in the request context.
 */
public final class RequestContexts {

	private RequestContexts() {
	}

	/**
	 * Put a value into the request context when the map accepts writes. Spring AI builds
	 * request contexts as mutable maps, and values stored here are shared with every
	 * advisor of the call; a read-only context (built by hand) only costs a recount
	 * later.
	 * @param request the request
	 * @param key the context key
	 * @param value the value, not {@code null}
	 * @return whether the value was stored
	 */
	public static boolean putIfPossible(ChatClientRequest request, String key, Object value) {
		try {
			request.context().put(key, value);
			return true;
		}
		catch (UnsupportedOperationException ex) {
			// Immutable context: nothing to share, the next advisor recomputes from memo.
			return false;
		}
	}

}
