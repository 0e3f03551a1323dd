package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailAttributionTest {

  private static final long MS = 1_000_000;

  @Test
  void readsTheSafepointsOfAHotSpotLogAndSkipsOtherLines() {
    List<SafepointLog.Pause> pauses =
        SafepointLog.parse(
            List.of(
                "[57838456288964ns] Safepoint \"ParallelCollectForAllocation\", Time since last:"
                    + " 580833346 ns, Reaching safepoint: 5861 ns, At safepoint: 26704142 ns,"
                    + " Leaving safepoint: 82386 ns, Total: 26792389 ns, Threads: 0 runnable, 10"
                    + " total",
                "[57838500000000ns] some other line",
                "",
                "[57838651818927ns] Safepoint \"Cleanup\", Time since last: 1 ns, Reaching"
                    + " safepoint: 4809 ns, At safepoint: 1000 ns, Total: 15330 ns"));
    assertThat(pauses)
        .containsExactly(
            new SafepointLog.Pause(
                new Span(57838456288964L - 26792389L, 57838456288964L),
                "ParallelCollectForAllocation"),
            new SafepointLog.Pause(new Span(57838651818927L - 15330L, 57838651818927L), "Cleanup"));
  }

  @Test
  void spansOverlapOnlyWhenTheyShareTime() {
    Span a = new Span(10, 20);
    assertThat(a.overlaps(new Span(19, 30))).isTrue();
    assertThat(a.overlaps(new Span(0, 11))).isTrue();
    assertThat(a.overlaps(new Span(12, 13))).isTrue();
    assertThat(a.overlaps(new Span(20, 30))).isFalse();
    assertThat(a.overlaps(new Span(0, 10))).isFalse();
    assertThatThrownBy(() -> new Span(5, 4)).hasMessageContaining("ends before it starts: 5..4");
  }

  /**
   * 300 exchanges 10 ms apart, each 1 ms of filter and 1 ms of prioritize; the three slowest (1%)
   * are 8–10 ms: one during a safepoint, one during a poll round that also covers ten fast ones,
   * one during a stall of the driver; a fourth slow one (7 ms) overlapped none of these.
   */
  @Test
  void countsWhatTheSlowestOnePercentOverlapped() {
    List<SchedulingDriver.FpExchange> exchanges = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long t = i * 10 * MS;
      long p =
          switch (i) {
            case 50 -> 10 * MS;
            case 120 -> 9 * MS;
            case 180 -> 8 * MS;
            case 250 -> 7 * MS;
            default -> MS;
          };
      exchanges.add(
          new SchedulingDriver.FpExchange(new Span(t, t + MS), new Span(t + MS, t + MS + p)));
    }
    List<Span> pauses =
        List.of(
            new Span(50 * 10 * MS + 3 * MS, 50 * 10 * MS + 5 * MS), // inside exchange 50
            new Span(-5 * MS, -4 * MS)); // before the run: not counted
    List<Span> rounds = List.of(new Span(115 * 10 * MS, 125 * 10 * MS)); // exchanges 115–124
    List<Span> stalls =
        List.of(
            new Span(180 * 10 * MS + 2 * MS, 180 * 10 * MS + 6 * MS), // inside exchange 180
            new Span(400 * 10 * MS, 401 * 10 * MS)); // after the run: not counted

    TailAttribution t = TailAttribution.of(exchanges, pauses, rounds, stalls);

    assertThat(t.exchanges()).isEqualTo(300);
    assertThat(t.tail()).isEqualTo(3);
    assertThat(t.tailPauses()).isEqualTo(1);
    assertThat(t.tailRounds()).isEqualTo(1);
    assertThat(t.tailStalls()).isEqualTo(1);
    assertThat(t.tailNone()).isZero();
    assertThat(t.allPauses()).isCloseTo(1 / 300.0, within(1e-9));
    assertThat(t.allRounds()).isCloseTo(10 / 300.0, within(1e-9));
    assertThat(t.allStalls()).isCloseTo(1 / 300.0, within(1e-9));
    assertThat(t.p99Micros()).isEqualTo(8_000);
    // 288 overlapped none, one of them slow: above their p99 (nearest rank 286)
    assertThat(t.p99NoneMicros()).isEqualTo(2_000);
    assertThat(t.pauses()).isEqualTo(1);
    assertThat(t.longestPauseMicros()).isEqualTo(2_000);
    assertThat(t.stalls()).isEqualTo(1);
    assertThat(t.stallsInRounds()).as("the stall fell outside the round").isZero();
    assertThat(t.longestStallMicros()).isEqualTo(4_000);
    // 299 without the stalled one: the slow exchange 250 is still at their nearest rank 297
    assertThat(t.p99NoStallMicros()).isEqualTo(8_000);
  }

  /**
   * 100 exchanges of 2 ms, of which the driver's stalls lengthened two to 12 and 14 ms, one of the
   * stalls during a poll round: the p99 is the driver's, and without them it is the exchanges' own.
   */
  @Test
  void theP99WithoutTheDriversStallsLeavesOutWhatTheDriverAdded() {
    List<SchedulingDriver.FpExchange> exchanges = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long t = i * 20 * MS;
      long p = i == 40 ? 13 * MS : i == 90 ? 11 * MS : MS;
      exchanges.add(
          new SchedulingDriver.FpExchange(new Span(t, t + MS), new Span(t + MS, t + MS + p)));
    }
    List<Span> rounds = List.of(new Span(88 * 20 * MS, 92 * 20 * MS)); // exchanges 88–91
    List<Span> stalls =
        List.of(
            new Span(40 * 20 * MS + 2 * MS, 40 * 20 * MS + 12 * MS), // inside exchange 40
            new Span(90 * 20 * MS + 2 * MS, 90 * 20 * MS + 10 * MS)); // exchange 90, in the round

    TailAttribution t = TailAttribution.of(exchanges, List.of(), rounds, stalls);

    assertThat(t.p99Micros()).as("nearest rank 99 of 100").isEqualTo(12_000);
    assertThat(t.p99NoStallMicros()).isEqualTo(2_000);
    assertThat(t.tail()).isEqualTo(1);
    assertThat(t.tailStalls()).isEqualTo(1);
    assertThat(t.stalls()).isEqualTo(2);
    assertThat(t.stallsInRounds()).isEqualTo(1);
  }

  @Test
  void theStallMeterFindsEveryWakeUpLaterThanItsThreshold() throws InterruptedException {
    List<Span> stalls = List.of();
    long read;
    long start = System.nanoTime();
    // A zero threshold counts every wake-up: parking always returns after its due time.
    try (StallMeter meter = StallMeter.start(Duration.ofMillis(1), Duration.ZERO)) {
      // On a loaded machine the meter's thread may not have run yet: bounded, it waits for it.
      for (int i = 0; i < 200 && stalls.isEmpty(); i++) {
        Thread.sleep(50);
        stalls = meter.stalls();
      }
      read = System.nanoTime();
    }
    long end = System.nanoTime();

    // Each wake-up follows a park of 1 ms, so there are at most as many as whole ms went by.
    assertThat(stalls)
        .isNotEmpty()
        .hasSizeLessThanOrEqualTo((int) Duration.ofNanos(read - start).toMillis() + 1);
    assertThat(stalls)
        .allSatisfy(s -> assertThat(s.startNanos()).isBetween(start, end))
        .allSatisfy(s -> assertThat(s.nanos()).isPositive());
    for (int i = 1; i < stalls.size(); i++) {
      assertThat(stalls.get(i).startNanos()).isGreaterThanOrEqualTo(stalls.get(i - 1).endNanos());
    }
  }

  @Test
  void aRunWithoutExchangesHasNothingToAttribute() {
    TailAttribution t =
        TailAttribution.of(List.of(), List.of(new Span(0, 1)), List.of(), List.of());
    assertThat(t.exchanges()).isZero();
    assertThat(t.tail()).isZero();
    assertThat(t.p99Micros()).isNaN();
  }
}
