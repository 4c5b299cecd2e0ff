/**
 * Usage ledgers: totals and rolling windows per model and scope, in memory.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.usage.ledger;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
