/**
 * The joint admission in Redis: a call's budget reservation and rate-limit admission in
 * one atomic Lua script and one round trip, composed of the budget's and the rate limits'
 * own Lua functions.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.admission.redis;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
