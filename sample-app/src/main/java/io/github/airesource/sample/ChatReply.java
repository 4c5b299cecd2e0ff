package io.github.airesource.sample;

import java.math.BigDecimal;

import io.github.airesource.core.usage.UsageRecord;

import org.springframework.lang.Nullable;

/**
 * The answer of {@code POST /api/chat}.
 *
 * @param reply the model's answer
 * @param conversationId the conversation, generated when the request named none
 * @param usage what the call used, as the starter recorded it
 * @param cost the call's cost in USD, or {@code null} when the model has no price or the
 * answer came from the cache
 * @param cache how the response cache treated the call ({@code miss}, {@code hit-exact},
 * {@code bypass}), or {@code null} when the cache is off
 */
public record ChatReply(String reply, String conversationId, @Nullable UsageRecord usage, @Nullable BigDecimal cost,
		@Nullable String cache) {
}
