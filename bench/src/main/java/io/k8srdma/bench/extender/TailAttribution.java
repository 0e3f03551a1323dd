package io.k8srdma.bench.extender;

import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the slowest filter + prioritize exchanges of a run had in common: how many of them
 * overlapped a safepoint of the extender (a collection or another stop of all its threads), a poll
 * round (the extender's burst of agent requests), a stall of the driver itself ({@link
 * StallMeter}), or none of these. On one core, background work and requests take turns, so this
 * tells which background work sets the p99, and how much of the p99 the driver's own timing adds.
 * The share of all exchanges that overlapped each shows whether the tail has more of it than chance
 * would give.
 *
 * @param exchanges filter + prioritize exchanges in the run
 * @param tail how many of the slowest were looked at (the slowest 1%, at least 1)
 * @param tailPauses of those, how many overlapped a safepoint (with or without anything else)
 * @param tailRounds of those, how many overlapped a poll round (with or without anything else)
 * @param tailStalls of those, how many overlapped a stall of the driver
 * @param tailNone of those, how many overlapped none of these
 * @param allPauses share of all exchanges that overlapped a safepoint
 * @param allRounds share of all exchanges that overlapped a poll round
 * @param allStalls share of all exchanges that overlapped a stall of the driver
 * @param p99Micros the p99 of all exchanges
 * @param p99NoneMicros the p99 of the exchanges that overlapped none of these
 * @param p99NoStallMicros the p99 of the exchanges that overlapped no stall of the driver: the run
 *     without what the driver's own timing added, as a driver on a machine of its own would see it
 * @param pauses safepoints during the run
 * @param longestPauseMicros the longest of them
 * @param stalls stalls of the driver during the run
 * @param stallsInRounds of those, how many overlapped a poll round (the fake agents answering it
 *     take the driver's core)
 * @param longestStallMicros the longest of them
 */
record TailAttribution(
    int exchanges,
    int tail,
    int tailPauses,
    int tailRounds,
    int tailStalls,
    int tailNone,
    double allPauses,
    double allRounds,
    double allStalls,
    double p99Micros,
    double p99NoneMicros,
    double p99NoStallMicros,
    int pauses,
    double longestPauseMicros,
    int stalls,
    int stallsInRounds,
    double longestStallMicros) {

  /** The fraction of exchanges that make the tail. */
  static final double TAIL = 0.01;

  /**
   * @param exchanges the timed exchanges of one run
   * @param pauses the extender's safepoints (any time; those outside the run do not count)
   * @param rounds the poll rounds (any time)
   * @param stalls the driver's stalls (any time; those outside the run do not count)
   */
  static TailAttribution of(
      List<SchedulingDriver.FpExchange> exchanges,
      List<Span> pauses,
      List<Span> rounds,
      List<Span> stalls) {
    if (exchanges.isEmpty()) {
      return new TailAttribution(
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          0,
          Double.NaN,
          0,
          0,
          Double.NaN);
    }
    Span run = new Span(first(exchanges), last(exchanges));
    List<Span> pausesInRun = pauses.stream().filter(run::overlaps).toList();
    List<Span> stallsInRun = stalls.stream().filter(run::overlaps).toList();
    Predicate<SchedulingDriver.FpExchange> paused = e -> e.overlapsAny(pausesInRun);
    Predicate<SchedulingDriver.FpExchange> polled = e -> e.overlapsAny(rounds);
    Predicate<SchedulingDriver.FpExchange> stalled = e -> e.overlapsAny(stallsInRun);
    Predicate<SchedulingDriver.FpExchange> none = paused.or(polled).or(stalled).negate();
    List<SchedulingDriver.FpExchange> slowest =
        exchanges.stream()
            .sorted(Comparator.comparingLong(SchedulingDriver.FpExchange::nanos).reversed())
            .limit(Math.max(1, Math.round(exchanges.size() * TAIL)))
            .toList();
    return new TailAttribution(
        exchanges.size(),
        slowest.size(),
        count(slowest, paused),
        count(slowest, polled),
        count(slowest, stalled),
        count(slowest, none),
        share(exchanges, paused),
        share(exchanges, polled),
        share(exchanges, stalled),
        p99Micros(exchanges),
        p99Micros(exchanges.stream().filter(none).toList()),
        p99Micros(exchanges.stream().filter(stalled.negate()).toList()),
        pausesInRun.size(),
        longestMicros(pausesInRun),
        stallsInRun.size(),
        (int) stallsInRun.stream().filter(s -> rounds.stream().anyMatch(s::overlaps)).count(),
        longestMicros(stallsInRun));
  }

  private static long first(List<SchedulingDriver.FpExchange> exchanges) {
    return exchanges.stream().mapToLong(e -> e.filter().startNanos()).min().orElseThrow();
  }

  private static long last(List<SchedulingDriver.FpExchange> exchanges) {
    return exchanges.stream().mapToLong(e -> e.prioritize().endNanos()).max().orElseThrow();
  }

  private static int count(
      List<SchedulingDriver.FpExchange> exchanges, Predicate<SchedulingDriver.FpExchange> test) {
    return (int) exchanges.stream().filter(test).count();
  }

  private static double share(
      List<SchedulingDriver.FpExchange> exchanges, Predicate<SchedulingDriver.FpExchange> test) {
    return (double) count(exchanges, test) / exchanges.size();
  }

  private static double longestMicros(List<Span> spans) {
    return spans.stream().mapToLong(Span::nanos).max().orElse(0) / 1e3;
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
