package io.github.airesource.core.scope;

import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * Who a call is made for. A call without a user, tenant or conversation gets the
 * {@value #ANONYMOUS} key of that scope, never someone else's.
 *
 * @param tenant the tenant id, never {@code null}
 * @param user the user id, never {@code null}
 * @param conversation the conversation id, never {@code null}
 */
public record CallScope(String tenant, String user, String conversation) {

	/** The id given to a scope the caller did not name. */
	public static final String ANONYMOUS = "anonymous";

	/** The scope of a call that names nobody. */
	public static final CallScope NONE = new CallScope(ANONYMOUS, ANONYMOUS, ANONYMOUS);

	/** The single key of the global scope. */
	public static final String GLOBAL_ID = "global";

	public CallScope {
		tenant = orAnonymous(tenant);
		user = orAnonymous(user);
		conversation = orAnonymous(conversation);
	}

	/**
	 * Create a scope from optional ids.
	 * @param tenant the tenant, or {@code null}
	 * @param user the user, or {@code null}
	 * @param conversation the conversation, or {@code null}
	 * @return the scope
	 */
	public static CallScope of(@Nullable Object tenant, @Nullable Object user, @Nullable Object conversation) {
		return new CallScope(asId(tenant), asId(user), asId(conversation));
	}

	/**
	 * Return the key of this call in the given scope.
	 * @param type the scope type
	 * @return the id, {@value #GLOBAL_ID} for the global scope
	 */
	public String idOf(ScopeType type) {
		return switch (type) {
			case GLOBAL -> GLOBAL_ID;
			case TENANT -> this.tenant;
			case USER -> this.user;
			case CONVERSATION -> this.conversation;
		};
	}

	@Nullable
	private static String asId(@Nullable Object value) {
		return (value != null) ? value.toString() : null;
	}

	private static String orAnonymous(@Nullable String id) {
		return StringUtils.hasText(id) ? id : ANONYMOUS;
	}

}
