/**
 * Auto-configuration of threshold alerts ({@code ai.resource.alerts.*}): the rule
 * evaluator on a schedule, Spring application events, the webhook and the daily spend
 * report.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.autoconfigure.alerts;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
