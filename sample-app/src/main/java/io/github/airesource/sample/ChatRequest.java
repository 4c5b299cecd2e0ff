package io.github.airesource.sample;

import org.springframework.lang.Nullable;

/**
 * The body of {@code POST /api/chat}.
 *
 * @param message what the user says; must not be blank
 * @param conversationId the conversation to continue, or {@code null} to start one
 * @param user who is asking, or {@code null} for the anonymous user
 * @param tenant the tenant the user belongs to, or {@code null} for the anonymous tenant
 * @param priority {@code high}, {@code normal} or {@code low}: the call's place in the
 * queue when every model permit is taken; {@code null} for normal
 */
public record ChatRequest(@Nullable String message, @Nullable String conversationId, @Nullable String user,
		@Nullable String tenant, @Nullable String priority) {
}
