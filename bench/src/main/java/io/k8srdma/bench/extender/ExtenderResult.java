package io.k8srdma.bench.extender;

import io.k8srdma.bench.agent.LatencySummary;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Everything measured for one cluster size.
 *
 * @param nodes cluster size N
 * @param candidates node names per filter call (kube-scheduler's feasible set for N)
 * @param readySeconds from spawn to readiness (includes the first, full poll round)
 * @param firstRoundSeconds the first poll round as the fake agents saw it (every answer a 200)
 * @param idleRounds durations in seconds of unchanged-agent rounds with no scheduling load
 * @param loadedRounds durations in seconds of unchanged-agent rounds during the measured load
 * @param promRoundMeanSeconds mean of the rounds after readiness, from {@code
 *     k8s_rdma_extender_poll_round_seconds_sum/count}
 * @param promRoundMaxSeconds {@code k8s_rdma_extender_poll_round_seconds_max} at the end
 * @param serverFilterMeanMicros mean filter time inside the extender over the measured runs
 * @param serverPrioritizeMeanMicros mean prioritize time inside the extender over those runs
 * @param sequential one client
 * @param concurrent one entry per concurrent client count
 * @param tails what the slowest filter + prioritize exchanges of the one-client run overlapped
 * @param serverFilter filter inside the extender during the one-client run, from its histogram
 * @param serverPrioritize prioritize inside the extender during the one-client run
 * @param filterAll filter calls carrying all N nodes
 * @param heapUsedBytes extender heap in use at the end
 * @param rssKib extender VmRSS at the end
 * @param peakRssKib extender VmHWM at the end
 * @param cpuSeconds extender CPU time over its whole life (user + system)
 * @param cpu CPU time per scheduling cycle of the extender and of this driver process
 * @param apiCalls the extender's calls to the fake API during the measured runs
 * @param agentErrors requests the fake agents could not answer
 * @param apiUnexpected requests the fake Kubernetes API did not expect
 * @param loadBefore load average before this size's run
 * @param loadAfter load average after it
 * @param run which run of this size ({@code --repeat}), 1-based; 0 when each size ran once
 */
record ExtenderResult(
    int nodes,
    int candidates,
    double readySeconds,
    double firstRoundSeconds,
    List<Double> idleRounds,
    List<Double> loadedRounds,
    double promRoundMeanSeconds,
    double promRoundMaxSeconds,
    double serverFilterMeanMicros,
    double serverPrioritizeMeanMicros,
    SchedulingDriver.CycleStats sequential,
    List<Concurrent> concurrent,
    TailAttribution tails,
    PromHistogram.Quantiles serverFilter,
    PromHistogram.Quantiles serverPrioritize,
    LatencySummary filterAll,
    long heapUsedBytes,
    long rssKib,
    long peakRssKib,
    double cpuSeconds,
    CpuMeter.Cost cpu,
    ApiCalls apiCalls,
    long agentErrors,
    long apiUnexpected,
    String loadBefore,
    String loadAfter,
    int run) {

  /** The row label: the cluster size, and the run when a size ran several times. */
  String label() {
    return label(nodes, run);
  }

  static String label(int nodes, int run) {
    return String.format(Locale.ROOT, "%,d", nodes) + (run > 0 ? " #" + run : "");
  }

  /** Target: filter + prioritize p99 ≤ 2 ms (at 5,000 nodes). */
  static final double FP_P99_TARGET_MICROS = 2_000;

  /** Target: at least 1,000 full cycles per second. */
  static final double CYCLES_TARGET = 1_000;

  /** Target: a round over unchanged agents within 5 s. */
  static final double ROUND_TARGET_SECONDS = 5;

  /**
   * Calls the extender made to the fake API: bind's pod reads, annotation writes and Bindings.
   *
   * @param gets pod {@code GET}s (bind found no usable copy in its informer's cache)
   * @param patches pod {@code PATCH}es (the assignment annotation)
   * @param puts pod {@code PUT}s (how builds before 2026-11-26 wrote it)
   * @param bindings {@code POST .../binding}
   */
  record ApiCalls(long gets, long patches, long puts, long bindings) {
    static ApiCalls of(FakeKubeApi api) {
      return new ApiCalls(api.gets(), api.patches(), api.puts(), api.bindings());
    }

    ApiCalls minus(ApiCalls before) {
      return new ApiCalls(
          gets - before.gets,
          patches - before.patches,
          puts - before.puts,
          bindings - before.bindings);
    }
  }

  /**
   * A run with several clients at once.
   *
   * @param clients how many
   * @param stats their merged statistics; throughput over the run's wall clock
   */
  record Concurrent(int clients, SchedulingDriver.CycleStats stats) {}

  boolean fpMet() {
    return sequential.filterPrioritize().p99Micros() <= FP_P99_TARGET_MICROS;
  }

  /** The best cycles/s of the sequential and concurrent runs. */
  double bestCyclesPerSecond() {
    double best = sequential.cycle().requestsPerSecond();
    for (Concurrent c : concurrent) {
      best = Math.max(best, c.stats().cycle().requestsPerSecond());
    }
    return best;
  }

  boolean cyclesMet() {
    return bestCyclesPerSecond() >= CYCLES_TARGET;
  }

  /** The slowest unchanged-agent round seen (idle or under load), NaN when none completed. */
  double worstRoundSeconds() {
    return Stream.concat(idleRounds.stream(), loadedRounds.stream())
        .mapToDouble(Double::doubleValue)
        .max()
        .orElse(Double.NaN);
  }

  boolean roundMet() {
    return worstRoundSeconds() <= ROUND_TARGET_SECONDS;
  }
}
