package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
   * 200 exchanges 10 ms apart, each 1 ms of filter and 1 ms of prioritize; the two slowest (1%) are
   * 9 ms: one during a safepoint, one during a poll round that also covers ten fast ones.
   */
  @Test
  void countsWhatTheSlowestOnePercentOverlapped() {
    List<SchedulingDriver.FpExchange> exchanges = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long t = i * 10 * MS;
      long p =
          switch (i) {
            case 50 -> 10 * MS;
            case 120 -> 9 * MS;
            case 180 -> 8 * MS;
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

    TailAttribution t = TailAttribution.of(exchanges, pauses, rounds);

    assertThat(t.exchanges()).isEqualTo(200);
    assertThat(t.tail()).isEqualTo(2);
    assertThat(t.tailPauses()).isEqualTo(1);
    assertThat(t.tailRounds()).isEqualTo(1);
    assertThat(t.tailNeither()).isZero();
    assertThat(t.allPauses()).isCloseTo(1 / 200.0, within(1e-9));
    assertThat(t.allRounds()).isCloseTo(10 / 200.0, within(1e-9));
    assertThat(t.p99Micros()).isEqualTo(9_000);
    // 189 overlapped neither, one of them slow: below their p99 (nearest rank 188)
    assertThat(t.p99NeitherMicros()).isEqualTo(2_000);
    assertThat(t.pauses()).isEqualTo(1);
    assertThat(t.longestPauseMicros()).isEqualTo(2_000);
  }

  @Test
  void aRunWithoutExchangesHasNothingToAttribute() {
    TailAttribution t = TailAttribution.of(List.of(), List.of(new Span(0, 1)), List.of());
    assertThat(t.exchanges()).isZero();
    assertThat(t.tail()).isZero();
    assertThat(t.p99Micros()).isNaN();
  }
}
