package io.github.airesource.core.history;

import io.github.airesource.core.scope.CallScope;
import org.springframework.util.Assert;

/**
 * The conversation a history state belongs to. The tenant is part of the key so that two
 * tenants who happen to use the same conversation id never see each other's summary.
 *
 * @param tenant the tenant id
 * @param conversation the conversation id
 */
public record HistoryKey(String tenant, String conversation) {

	public HistoryKey {
		Assert.notNull(tenant, "tenant must not be null");
		Assert.notNull(conversation, "conversation must not be null");
	}

	/**
	 * Return the key of a call's conversation.
	 * @param scope who the call is for
	 * @return the key, or {@code null} when the call names no conversation
	 */
	@org.springframework.lang.Nullable
	public static HistoryKey of(CallScope scope) {
		if (CallScope.ANONYMOUS.equals(scope.conversation())) {
			return null;
		}
		return new HistoryKey(scope.tenant(), scope.conversation());
	}

}
