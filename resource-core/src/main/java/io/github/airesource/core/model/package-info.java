/**
 * Model names: the one normalisation that pricing, token counting and every feature that
 * matches models by name share.
 */
@NonNullApi
@NonNullFields
package io.github.airesource.core.model;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
