/**
 * Auto-configuration of chat-history trimming and summarization
 * ({@code ai.resource.history.*}).
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.history;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
