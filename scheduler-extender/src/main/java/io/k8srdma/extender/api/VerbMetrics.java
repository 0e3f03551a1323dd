package io.k8srdma.extender.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/**
 * Latency histograms of the extender verbs: {@code k8s_rdma_extender_verb_seconds{verb}} with
 * percentile buckets for Prometheus.
 */
public class VerbMetrics {

  private final MeterRegistry registry;

  public VerbMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Runs {@code body} and records its duration under {@code verb}. */
  public <T> T time(String verb, Supplier<T> body) {
    Timer timer =
        Timer.builder("k8s_rdma_extender_verb")
            .description("Latency of the extender verbs")
            .tag("verb", verb)
            .publishPercentileHistogram()
            .register(registry);
    return timer.record(body);
  }
}
