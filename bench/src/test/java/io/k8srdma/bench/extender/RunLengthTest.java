package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.bench.support.Options;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunLengthTest {

  @Test
  void aCountAloneEndsAtTheCountWhateverTheTime() {
    RunLength length = RunLength.of(3);
    assertThat(length.more(2, Duration.ofHours(1).toNanos())).isTrue();
    assertThat(length.more(3, Duration.ZERO.toNanos())).isFalse();
  }

  @Test
  void aTimeFloorGoesOnAfterTheCyclesUntilItHasPassed() {
    RunLength length = RunLength.atLeast(1_000, Duration.ofSeconds(20));
    assertThat(length.more(999, Duration.ofMinutes(5).toNanos()))
        .as("the cycles come first")
        .isTrue();
    assertThat(length.more(1_000, Duration.ofSeconds(19).toNanos()))
        .as("before the floor")
        .isTrue();
    assertThat(length.more(5_000, Duration.ofMillis(19_999).toNanos())).isTrue();
    assertThat(length.more(5_000, Duration.ofSeconds(20).toNanos())).as("at the floor").isFalse();
  }

  @Test
  void aTimeFloorIsBoundedInCycles() {
    RunLength length = RunLength.atLeast(10, Duration.ofDays(1));
    assertThat(length.maxCycles()).isEqualTo(RunLength.MAX_CYCLES);
    assertThat(length.more(RunLength.MAX_CYCLES - 1, Duration.ZERO.toNanos())).isTrue();
    assertThat(length.more(RunLength.MAX_CYCLES, Duration.ZERO.toNanos())).isFalse();
    assertThat(RunLength.atLeast(300_000, Duration.ZERO).maxCycles())
        .as("a count above the bound is still honoured")
        .isEqualTo(300_000);
  }

  @Test
  void badLengthsAreRefusedWithWhatWasWrong() {
    assertThatThrownBy(() -> RunLength.of(0)).hasMessageContaining("at least 1 cycle, got 0");
    assertThatThrownBy(() -> RunLength.atLeast(5, Duration.ofSeconds(-1)))
        .hasMessageContaining("less than nothing");
    assertThatThrownBy(() -> new RunLength(10, Duration.ZERO, 9))
        .hasMessageContaining("at most 9 cycles cannot hold the 10");
  }

  @Test
  void theOneClientWindowIsFourPollIntervalsUnlessGiven() {
    assertThat(ExtenderBenchmark.oneClientWindow(new Options(Map.of())))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(ExtenderBenchmark.oneClientWindow(new Options(Map.of("poll-interval", "2s"))))
        .isEqualTo(Duration.ofSeconds(8));
    assertThat(
            ExtenderBenchmark.oneClientWindow(
                new Options(Map.of("one-client-window", "500ms", "poll-interval", "2s"))))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(ExtenderBenchmark.oneClientWindow(new Options(Map.of("one-client-window", "0s"))))
        .isZero();
  }
}
