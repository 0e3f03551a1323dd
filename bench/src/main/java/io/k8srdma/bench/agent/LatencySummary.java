package io.k8srdma.bench.agent;

import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * Percentiles and throughput of one measured run of requests.
 *
 * @param requests how many requests were timed
 * @param errors how many of them got an unexpected status or failed
 * @param p50Micros median latency in microseconds
 * @param p99Micros 99th percentile latency in microseconds
 * @param p999Micros 99.9th percentile latency in microseconds
 * @param maxMicros the slowest request in microseconds
 * @param requestsPerSecond completed requests divided by the wall-clock time of the whole run
 */
public record LatencySummary(
    long requests,
    long errors,
    double p50Micros,
    double p99Micros,
    double p999Micros,
    double maxMicros,
    double requestsPerSecond) {

  /** Highest latency the histograms track; anything slower is clamped (and is a failure anyway). */
  public static final long MAX_TRACKED_NANOS = Duration.ofMinutes(1).toNanos();

  /** A histogram of request latencies in nanoseconds, 3 significant digits. */
  public static Histogram newHistogram() {
    return new Histogram(MAX_TRACKED_NANOS, 3);
  }

  /**
   * Summarises latencies recorded in nanoseconds.
   *
   * @param latencies one value per timed request
   * @param errors failed requests (also recorded in {@code latencies})
   * @param elapsed wall-clock time of the whole run, for throughput
   */
  public static LatencySummary of(Histogram latencies, long errors, Duration elapsed) {
    long n = latencies.getTotalCount();
    double seconds = elapsed.toNanos() / 1e9;
    return new LatencySummary(
        n,
        errors,
        micros(latencies.getValueAtPercentile(50)),
        micros(latencies.getValueAtPercentile(99)),
        micros(latencies.getValueAtPercentile(99.9)),
        micros(latencies.getMaxValue()),
        seconds > 0 ? n / seconds : 0);
  }

  private static double micros(long nanos) {
    return nanos / 1e3;
  }
}
