package io.github.airesource.core.usage;

/**
 * One system prompt as {@link SystemPrompts} lists it: never its text.
 *
 * @param hash the first 16 hex digits of the SHA-256 of its text
 * @param firstWords its first few words, followed by an ellipsis
 * @param tokens its tokens, chat-format overhead included
 * @param calls calls that sent it since it was first seen
 */
public record SystemPromptStats(String hash, String firstWords, long tokens, long calls) {
}
