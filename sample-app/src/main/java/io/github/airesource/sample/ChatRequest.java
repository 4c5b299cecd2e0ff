package io.github.airesource.sample;

import org.springframework.lang.Nullable;

/**
 * The body of {@code POST /api/chat}.
 *
 * @param message what the user says; must not be blank
 * @param conversationId the conversation to continue, or {@code null} to start one
 * @param user who is asking, or {@code null} for the anonymous user
 * @param tenant the tenant the user belongs to, or {@code null} for the anonymous tenant
 */
public record ChatRequest(@Nullable String message, @Nullable String conversationId, @Nullable String user,
		@Nullable String tenant) {
}
