package io.k8srdma.bench.extender;

import io.k8srdma.bench.agent.LatencySummary;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders extender results as a Markdown section: environment, settings, two tables, targets. */
final class ExtenderReport {

  private ExtenderReport() {}

  static String render(List<ExtenderResult> results, String environment, String settings) {
    StringBuilder md = new StringBuilder();
    md.append("## Scheduler extender\n\n").append(environment).append('\n');
    md.append(settings).append('\n');
    md.append(
        """
        Latencies in µs as p50 / p99 / p99.9, measured by the driver around each HTTP exchange \
        (127.0.0.1, HTTP/1.1, one connection per client). f+p = filter plus prioritize of the \
        same pod. cycle = filter + prioritize + bind. "all N" = filter with every node of the \
        cluster. In-extender mean = the extender's own k8s_rdma_extender_verb_seconds sum/count \
        over the measured runs (1 to 4 clients), i.e. without client and loopback. Targets at 5,000 nodes: f+p p99 ≤ 2 ms, ≥ 1,000 cycles/s, unchanged poll round \
        ≤ 5 s.

        """);
    md.append(
        "| nodes | candidates | filter | prioritize | f+p | bind | cycle | filter all N"
            + " | in-extender mean filter / prioritize | mean kept | unschedulable | bind errors |\n");
    md.append("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (ExtenderResult r : results) {
      SchedulingDriver.CycleStats s = r.sequential();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s | %s | %s | %.0f / %.0f | %.0f | %d | %d |%n",
              r.label(),
              r.candidates(),
              pct(s.filter()),
              pct(s.prioritize()),
              pct(s.filterPrioritize()),
              pct(s.bind()),
              pct(s.cycle()),
              pct(r.filterAll()),
              r.serverFilterMeanMicros(),
              r.serverPrioritizeMeanMicros(),
              s.meanPassing(),
              s.unschedulable(),
              s.bindErrors()));
    }
    md.append(
        "\n| nodes | cycles/s 1 client | cycles/s (f+p p99 µs) with k clients | ready s"
            + " | first round s | idle rounds s | rounds under load s | Prometheus mean / max s"
            + " | heap MB | RSS / peak MB | CPU s | load (loop) before → after | targets met |\n");
    md.append("|--:|--:|---|--:|--:|---|---|--:|--:|--:|--:|---|---|\n");
    for (ExtenderResult r : results) {
      md.append(throughputRow(r));
    }
    md.append(
        """

        Load (loop): the load averages, and in brackets how long two fixed pieces of work took \
        just then (`Environment.speed`): a loop of pure arithmetic and a walk through 64 MB that \
        waits for memory at every step, on the driver's CPU and, with `--extender-cpus`, on the \
        extender's CPUs in a small JVM of its own. This machine's virtual CPUs run at a speed \
        that varies by half with the host's load, and its memory can be slow while arithmetic is \
        not, so larger times mark a run the machine slowed, whatever the code did.

        CPU per scheduling cycle over the measured runs (1 to 4 clients), from /proc/<pid>/stat, \
        less each process's CPU rate while idle (polling) times the run's duration. "driver" is \
        this process: load clients, fake agents and fake API. Capacity = cycles/s the extender \
        could serve on this many cores of its own: (cores − idle extender cores) / extender CPU \
        per cycle, an estimate that assumes CPU is the limit.

        | nodes | cycles | extender ms CPU / cycle | driver ms CPU / cycle | idle cores extender / \
        driver | cores | extender capacity cycles/s |
        |--:|--:|--:|--:|--:|--:|--:|
        """);
    for (ExtenderResult r : results) {
      CpuMeter.Cost c = r.cpu();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.2f | %.2f | %.2f / %.2f | %d | %.0f |%n",
              r.label(),
              c.cycles(),
              c.extenderMillisPerCycle(),
              c.driverMillisPerCycle(),
              c.idleExtenderCores(),
              c.idleDriverCores(),
              c.cores(),
              c.extenderCapacity()));
    }
    md.append("\nThe extender's calls to the fake API during the measured runs:\n\n");
    for (ExtenderResult r : results) {
      ExtenderResult.ApiCalls a = r.apiCalls();
      md.append(
          String.format(
              Locale.ROOT,
              "- %s nodes: %d pod GET, %d pod PATCH, %d pod PUT, %d Binding POST%n",
              r.label(),
              a.gets(),
              a.patches(),
              a.puts(),
              a.bindings()));
    }
    md.append(
        """

        What the slowest 1%% of filter + prioritize exchanges of the one-client run overlapped: a \
        safepoint of the extender (a collection or another stop of all its threads, from its \
        -Xlog:safepoint), a poll round (as the fake agents saw it), a stall of the driver itself \
        (its stall meter woke more than %d ms late: the driver's own collections, or its core busy \
        with its other threads, either of which lengthens what it times), or none of these. On a \
        shared or single core, background work and requests take turns; compare the tail's counts \
        with the share of all exchanges that overlapped each.

        In-extender p50 / p99: the extender's own k8s_rdma_extender_verb_seconds histogram over \
        the one-client run, as the upper bounds of the buckets that hold them.

        | nodes | exchanges | slowest | with a safepoint | with a poll round | with a driver stall \
        | with none | all: with a safepoint / a poll round / a driver stall | p99 µs all / with \
        none / without a driver stall | safepoints, longest µs | driver stalls (during a poll \
        round), longest µs | in-extender p50 / p99 µs filter, prioritize |
        |--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
        """
            .formatted(StallMeter.THRESHOLD.toMillis()));
    for (ExtenderResult r : results) {
      md.append(tailRow(r));
    }
    md.append(
        "\nExtender CPU per cycle by thread (ms, the largest; digits in names shown as N):\n\n");
    for (ExtenderResult r : results) {
      md.append(
          String.format(
              Locale.ROOT,
              "- %s nodes: %s%n",
              r.label(),
              r.cpu().threadMillisPerCycle().entrySet().stream()
                  .limit(8)
                  .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                  .collect(Collectors.joining(", "))));
    }
    return md.toString();
  }

  private static String throughputRow(ExtenderResult r) {
    String concurrent =
        r.concurrent().stream()
            .map(
                c ->
                    String.format(
                        Locale.ROOT,
                        "%d: %.0f (%.0f)",
                        c.clients(),
                        c.stats().cycle().requestsPerSecond(),
                        c.stats().filterPrioritize().p99Micros()))
            .collect(Collectors.joining(", "));
    return String.format(
        Locale.ROOT,
        "| %s | %.0f | %s | %.1f | %.2f | %s | %s | %.2f / %.2f | %.0f | %.0f / %.0f | %.0f"
            + " | %s → %s | %s |%n",
        r.label(),
        r.sequential().cycle().requestsPerSecond(),
        concurrent,
        r.readySeconds(),
        r.firstRoundSeconds(),
        rounds(r.idleRounds()),
        rounds(r.loadedRounds()),
        r.promRoundMeanSeconds(),
        r.promRoundMaxSeconds(),
        r.heapUsedBytes() / 1048576.0,
        r.rssKib() / 1024.0,
        r.peakRssKib() / 1024.0,
        r.cpuSeconds(),
        r.loadBefore(),
        r.loadAfter(),
        verdicts(r));
  }

  private static String tailRow(ExtenderResult r) {
    TailAttribution t = r.tails();
    return String.format(
        Locale.ROOT,
        "| %s | %d | %d | %d | %d | %d | %d | %.1f%% / %.1f%% / %.1f%% | %.0f / %.0f / %.0f |"
            + " %d, %.0f | %d (%d), %.0f | %.0f / %.0f, %.0f / %.0f |%n",
        r.label(),
        t.exchanges(),
        t.tail(),
        t.tailPauses(),
        t.tailRounds(),
        t.tailStalls(),
        t.tailNone(),
        100 * t.allPauses(),
        100 * t.allRounds(),
        100 * t.allStalls(),
        t.p99Micros(),
        t.p99NoneMicros(),
        t.p99NoStallMicros(),
        t.pauses(),
        t.longestPauseMicros(),
        t.stalls(),
        t.stallsInRounds(),
        t.longestStallMicros(),
        r.serverFilter().p50Micros(),
        r.serverFilter().p99Micros(),
        r.serverPrioritize().p50Micros(),
        r.serverPrioritize().p99Micros());
  }

  private static String pct(LatencySummary s) {
    return String.format(
        Locale.ROOT, "%.0f / %.0f / %.0f", s.p50Micros(), s.p99Micros(), s.p999Micros());
  }

  private static String rounds(List<Double> seconds) {
    if (seconds.isEmpty()) {
      return "none";
    }
    return seconds.stream()
        .map(s -> String.format(Locale.ROOT, "%.2f", s))
        .collect(Collectors.joining(", "));
  }

  private static String verdicts(ExtenderResult r) {
    return "f+p p99 "
        + yesNo(r.fpMet())
        + ", cycles/s "
        + yesNo(r.cyclesMet())
        + ", round "
        + yesNo(r.roundMet());
  }

  private static String yesNo(boolean met) {
    return met ? "yes" : "**no**";
  }
}
