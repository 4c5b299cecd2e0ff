package io.github.airesource.benchmarks.gateway;

import org.HdrHistogram.Histogram;

/**
 * What one path of the gateway comparison did in one round.
 *
 * @param latencies the successful calls' latencies, in microseconds
 * @param errors the failed calls
 * @param nanos the round's duration
 * @param cpuNanos the CPU time the path's process used in the round, or -1 when not known
 */
record Round(Histogram latencies, int errors, long nanos, long cpuNanos) {
}
