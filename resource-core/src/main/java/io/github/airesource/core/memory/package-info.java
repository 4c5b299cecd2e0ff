/**
 * JVM memory protection: a monitor of heap, non-heap, heap after GC, GC time and resident
 * memory, and an advisor that refuses new calls while the heap stays full after garbage
 * collection.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.memory;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
