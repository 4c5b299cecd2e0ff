package io.github.airesource.core.ratelimit;

import java.time.Instant;

/**
 * Calls to a model held back because its provider said it is out of capacity.
 *
 * @param model the model family held, or {@value ProviderHolds#ALL_MODELS} when the
 * provider did not say which model
 * @param until when calls may go to the provider again
 * @param reason what the provider said, such as {@code 429 Retry-After: 2}
 */
public record ProviderHold(String model, Instant until, String reason) {

}
