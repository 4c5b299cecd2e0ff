/**
 * The tool-result cache: a {@code ToolCallback} decorator that answers repeated tool
 * calls of listed tools from a bounded, per-tool-TTL cache partitioned by tenant (and
 * user), the hooks that put it around the tools a chat client passes and the tools
 * resolved by name, and the advisor that carries the caller's scope to tool execution.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.cache.tool;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
