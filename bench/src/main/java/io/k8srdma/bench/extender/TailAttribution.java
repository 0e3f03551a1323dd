package io.k8srdma.bench.extender;

import java.util.Comparator;
import java.util.List;

/**
 * What the slowest filter + prioritize exchanges of a run had in common: how many of them
 * overlapped a safepoint of the extender (a collection or another stop of all its threads), a poll
 * round (the extender's burst of agent requests), both or neither. On one core, background work and
 * requests take turns, so this tells which background work sets the p99. The share of all exchanges
 * that overlapped each shows whether the tail has more of it than chance would give.
 *
 * @param exchanges filter + prioritize exchanges in the run
 * @param tail how many of the slowest were looked at (the slowest 1%, at least 1)
 * @param tailPauses of those, how many overlapped a safepoint (with or without a poll round)
 * @param tailRounds of those, how many overlapped a poll round (with or without a safepoint)
 * @param tailNeither of those, how many overlapped neither
 * @param allPauses share of all exchanges that overlapped a safepoint
 * @param allRounds share of all exchanges that overlapped a poll round
 * @param p99Micros the p99 of all exchanges
 * @param p99NeitherMicros the p99 of the exchanges that overlapped neither
 * @param pauses safepoints during the run
 * @param longestPauseMicros the longest of them
 */
record TailAttribution(
    int exchanges,
    int tail,
    int tailPauses,
    int tailRounds,
    int tailNeither,
    double allPauses,
    double allRounds,
    double p99Micros,
    double p99NeitherMicros,
    int pauses,
    double longestPauseMicros) {

  /** The fraction of exchanges that make the tail. */
  static final double TAIL = 0.01;

  /**
   * @param exchanges the timed exchanges of one run
   * @param pauses the extender's safepoints (any time; those outside the run do not count)
   * @param rounds the poll rounds (any time)
   */
  static TailAttribution of(
      List<SchedulingDriver.FpExchange> exchanges, List<Span> pauses, List<Span> rounds) {
    if (exchanges.isEmpty()) {
      return new TailAttribution(0, 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, 0, Double.NaN);
    }
    Span run = new Span(first(exchanges), last(exchanges));
    List<Span> inRun = pauses.stream().filter(run::overlaps).toList();
    List<SchedulingDriver.FpExchange> slowest =
        exchanges.stream()
            .sorted(Comparator.comparingLong(SchedulingDriver.FpExchange::nanos).reversed())
            .limit(Math.max(1, Math.round(exchanges.size() * TAIL)))
            .toList();
    List<SchedulingDriver.FpExchange> neither =
        exchanges.stream().filter(e -> !e.overlapsAny(inRun) && !e.overlapsAny(rounds)).toList();
    return new TailAttribution(
        exchanges.size(),
        slowest.size(),
        count(slowest, e -> e.overlapsAny(inRun)),
        count(slowest, e -> e.overlapsAny(rounds)),
        count(slowest, e -> !e.overlapsAny(inRun) && !e.overlapsAny(rounds)),
        share(exchanges, e -> e.overlapsAny(inRun)),
        share(exchanges, e -> e.overlapsAny(rounds)),
        p99Micros(exchanges),
        p99Micros(neither),
        inRun.size(),
        inRun.stream().mapToLong(Span::nanos).max().orElse(0) / 1e3);
  }

  private static long first(List<SchedulingDriver.FpExchange> exchanges) {
    return exchanges.stream().mapToLong(e -> e.filter().startNanos()).min().orElseThrow();
  }

  private static long last(List<SchedulingDriver.FpExchange> exchanges) {
    return exchanges.stream().mapToLong(e -> e.prioritize().endNanos()).max().orElseThrow();
  }

  private static int count(
      List<SchedulingDriver.FpExchange> exchanges,
      java.util.function.Predicate<SchedulingDriver.FpExchange> test) {
    return (int) exchanges.stream().filter(test).count();
  }

  private static double share(
      List<SchedulingDriver.FpExchange> exchanges,
      java.util.function.Predicate<SchedulingDriver.FpExchange> test) {
    return (double) count(exchanges, test) / exchanges.size();
  }

  /** The nearest-rank 99th percentile, NaN for none. */
  static double p99Micros(List<SchedulingDriver.FpExchange> exchanges) {
    if (exchanges.isEmpty()) {
      return Double.NaN;
    }
    long[] sorted =
        exchanges.stream().mapToLong(SchedulingDriver.FpExchange::nanos).sorted().toArray();
    int rank = (int) Math.ceil(0.99 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e3;
  }
}
