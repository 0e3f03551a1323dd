package io.k8srdma.extender.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerbMetricsTest {

  @Test
  void theHistogramTellsAFewHundredMicrosecondsFromAMillisecond() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VerbMetrics metrics = new VerbMetrics(registry);

    metrics.time("filter", () -> "quick");

    List<Double> bounds =
        Arrays.stream(registry.scrape().split("\n"))
            .filter(l -> l.startsWith("k8s_rdma_extender_verb_seconds_bucket{"))
            .filter(l -> l.contains("verb=\"filter\""))
            .map(l -> l.substring(l.indexOf("le=\"") + 4, l.indexOf('"', l.indexOf("le=\"") + 4)))
            .filter(le -> !le.equals("+Inf"))
            .map(Double::parseDouble)
            .toList();
    assertThat(bounds).first().isEqualTo(VerbMetrics.SMALLEST_BUCKET.toNanos() / 1e9);
    assertThat(bounds.stream().filter(b -> b < 0.001).count())
        .as("buckets below 1 ms in %s", bounds)
        .isGreaterThanOrEqualTo(5);
    assertThat(bounds).last().isEqualTo(30.0);
  }
}
