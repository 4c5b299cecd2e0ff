/**
 * The end-to-end gateway comparison: a loopback OpenAI-compatible model server and a load
 * driver that sends the same chat completions to it directly, through the starter's HTTP
 * front and through the Portkey gateway (run by
 * {@code benchmarks/gateway-comparison.sh}).
 */
@NonNullApi
@NonNullFields
package io.github.airesource.benchmarks.gateway;

import org.springframework.lang.NonNullApi;
import org.springframework.lang.NonNullFields;
