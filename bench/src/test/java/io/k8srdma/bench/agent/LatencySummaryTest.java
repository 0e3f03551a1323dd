package io.k8srdma.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

  @Test
  void percentilesAndThroughputOfKnownLatencies() {
    Histogram h = LatencySummary.newHistogram();
    // 1..1000 µs, one request each: p50 = 500 µs, p99 = 990 µs, p99.9 = 999 µs, max = 1000 µs.
    for (int us = 1; us <= 1000; us++) {
      h.recordValue(us * 1_000L);
    }

    LatencySummary s = LatencySummary.of(h, 2, Duration.ofMillis(500));

    assertThat(s.requests()).isEqualTo(1000);
    assertThat(s.errors()).isEqualTo(2);
    // 3 significant digits: values are exact to within 0.1 %.
    assertThat(s.p50Micros()).isCloseTo(500, within(0.5));
    assertThat(s.p99Micros()).isCloseTo(990, within(1.0));
    assertThat(s.p999Micros()).isCloseTo(999, within(1.0));
    assertThat(s.maxMicros()).isCloseTo(1000, within(1.0));
    assertThat(s.requestsPerSecond()).isCloseTo(2000, within(1e-9));
  }

  @Test
  void emptyRunHasNoThroughputInsteadOfDividingByZero() {
    LatencySummary s = LatencySummary.of(LatencySummary.newHistogram(), 0, Duration.ZERO);

    assertThat(s.requests()).isZero();
    assertThat(s.requestsPerSecond()).isZero();
  }
}
