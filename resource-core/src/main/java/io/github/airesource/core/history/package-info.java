/**
 * Chat-history trimming by tokens that keeps the provider's prompt cache warm, and
 * summarization of the trimmed turns: the advisor, its per-conversation state (the cut
 * and the running summary) in memory, the summarizer, and a token-window
 * {@code ChatMemory} for trimming at storage time.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.history;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
