package io.github.airesource.core.cache;

import io.github.airesource.core.scope.CallScope;

import org.springframework.util.Assert;

/**
 * The part of a cache a call may read and write: entries of one partition are never
 * served to another. The tenant is always part of it, the user when the cache is
 * configured per user, and the namespace a caller chose.
 *
 * @param tenant the tenant, {@value CallScope#ANONYMOUS} when none was named
 * @param user the user, or {@value #ANY_USER} when the cache is shared by a tenant's
 * users
 * @param namespace the namespace, empty when none
 */
public record CachePartition(String tenant, String user, String namespace) {

	/** The user of a partition shared by all users of a tenant. */
	public static final String ANY_USER = "*";

	public CachePartition {
		Assert.notNull(tenant, "tenant must not be null");
		Assert.notNull(user, "user must not be null");
		Assert.notNull(namespace, "namespace must not be null");
	}

	/**
	 * Return the partition of a call.
	 * @param scope who the call is for
	 * @param perUser whether entries are kept per user rather than per tenant
	 * @param namespace the namespace the caller chose, empty when none
	 * @return the partition
	 */
	public static CachePartition of(CallScope scope, boolean perUser, String namespace) {
		return new CachePartition(scope.tenant(), perUser ? scope.user() : ANY_USER, namespace);
	}

}
