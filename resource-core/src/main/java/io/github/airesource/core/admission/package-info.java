/**
 * Joint admission: when budgets and rate limits keep their state in one Redis, a call is
 * reserved against its budget and admitted against its rate limits in one round trip, and
 * settled against both in one more, with the answers the two advisors would give one
 * after the other.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.admission;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
