package io.k8srdma.bench.agent;

import java.util.List;

/**
 * Everything measured for one tree under one JVM profile.
 *
 * @param tree the fake host tree
 * @param profile the JVM profile
 * @param readyMillis time to ready of each timed start, wall clock, in start order
 * @param readyCpuSeconds CPU time the agent had used when it first answered ready (last start)
 * @param bodyBytes size of the {@code GET /vfs} answer
 * @param rssAfter1kKib VmRSS after the first 1,000 requests
 * @param peakRssKib VmHWM at the end of the run
 * @param sequential one connection, back to back
 * @param concurrent several threads, back to back
 * @param notModified conditional GETs answered 304, one connection
 */
public record AgentResult(
    FakeTree tree,
    JvmProfile profile,
    List<Long> readyMillis,
    double readyCpuSeconds,
    int bodyBytes,
    long rssAfter1kKib,
    long peakRssKib,
    LatencySummary sequential,
    LatencySummary concurrent,
    LatencySummary notModified) {

  /** Issue targets: ready within 2 s, at most 100 MB resident, GET /vfs p99 within 1 ms. */
  static final long READY_TARGET_MILLIS = 2_000;

  static final long RSS_TARGET_KIB = 100 * 1024;
  static final double P99_TARGET_MICROS = 1_000;

  /** The median of the timed starts: one slow start on a shared machine should not decide. */
  long readyMedianMillis() {
    List<Long> sorted = readyMillis.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  boolean readyMet() {
    return readyMedianMillis() <= READY_TARGET_MILLIS;
  }

  boolean rssMet() {
    return rssAfter1kKib <= RSS_TARGET_KIB;
  }

  boolean p99Met() {
    return sequential.p99Micros() <= P99_TARGET_MICROS;
  }
}
