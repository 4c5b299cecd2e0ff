package io.github.airesource.actuate.limits;

import java.util.List;

import io.github.airesource.actuate.limits.LimitsDescriptor.DimensionStateDescriptor;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.lang.Nullable;

/**
 * One rate limit's state for one scope key, as {@code /actuator/ailimits/{limit}/{key}}
 * shows it. A key that has not spent anything has every bucket full.
 *
 * @param limit the limit's name
 * @param scope the limit's scope
 * @param key the scope key
 * @param state the state per dimension the limit counts; empty when the store failed
 * @param error why the state could not be read (the store failed), else {@code null}
 */
public record RateLimitKeyDescriptor(String limit, String scope, String key, List<DimensionStateDescriptor> state,
		@Nullable String error) implements OperationResponseBody {

}
