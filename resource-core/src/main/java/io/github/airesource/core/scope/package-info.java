/**
 * Who a call is made for: scopes and their resolution.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.scope;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
