package io.k8srdma.extender.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Latency histograms of the extender verbs: {@code k8s_rdma_extender_verb_seconds{verb}} with
 * percentile buckets for Prometheus.
 */
public class VerbMetrics {

  private final MeterRegistry registry;

  /**
   * One timer per verb, built on first use: registering through {@code Timer.builder} on every call
   * allocates the builder and its tags and looks the meter up in the registry each time.
   */
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public VerbMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Runs {@code body} and records its duration under {@code verb}. */
  public <T> T time(String verb, Supplier<T> body) {
    return timers.computeIfAbsent(verb, this::timer).record(body);
  }

  private Timer timer(String verb) {
    return Timer.builder("k8s_rdma_extender_verb")
        .description("Latency of the extender verbs")
        .tag("verb", verb)
        .publishPercentileHistogram()
        .register(registry);
  }
}
