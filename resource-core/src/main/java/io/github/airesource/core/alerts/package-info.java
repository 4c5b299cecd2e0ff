/**
 * Threshold alerts: rules over the usage ledger, the heap, budgets, caches, the bulkhead
 * and provider holds, an alert state machine per rule, listeners, a webhook notifier,
 * budget burn-rate forecasts and a daily spend report.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.alerts;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
